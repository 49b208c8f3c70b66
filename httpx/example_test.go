package httpx_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gokeel/keel/httpx"
)

type createTodo struct {
	Title string `json:"title" validate:"required,max=200"`
}

func ExampleRouter() {
	r := httpx.NewRouter(httpx.Recover())
	r.HandleFunc("GET /todos/{id}", func(w http.ResponseWriter, r *http.Request) error {
		if r.PathValue("id") != "1" {
			return httpx.NewError(http.StatusNotFound, "No such todo.")
		}
		return httpx.JSON(w, http.StatusOK, map[string]any{"id": 1, "title": "milk"})
	})

	for _, path := range []string{"/todos/1", "/todos/2"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Print(rec.Code, " ", rec.Header().Get("Content-Type"), " ", rec.Body.String())
	}
	// Output:
	// 200 application/json {"id":1,"title":"milk"}
	// 404 application/problem+json {"type":"about:blank","title":"Not Found","status":404,"detail":"No such todo.","instance":"/todos/2"}
}

func ExampleDecode() {
	h := httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		in, err := httpx.Decode[createTodo](r)
		if err != nil {
			return err
		}
		return httpx.JSON(w, http.StatusCreated, in)
	})

	for _, body := range []string{`{"title":"milk"}`, `{"title":""}`, `{"title":`} {
		req := httptest.NewRequest("POST", "/todos", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		out, _ := io.ReadAll(rec.Body)
		fmt.Print(rec.Code, " ", string(out))
	}
	// Output:
	// 201 {"title":"milk"}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"The request has invalid fields.","instance":"/todos","errors":[{"field":"title","rule":"required","detail":"is required"}]}
	// 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"Malformed JSON: the body ends too early.","instance":"/todos"}
}
