package observability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/observability"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func ExampleAccessLog() {
	var buf bytes.Buffer
	log, _ := observability.NewLogger(observability.WithOutput(&buf))
	r := httpx.NewRouter(observability.AccessLog(log))
	r.HandleFunc("GET /todos/{id}", func(w http.ResponseWriter, r *http.Request) error {
		return httpx.JSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/todos/7", nil))

	line := buf.String()
	fmt.Println(strings.Contains(line, `"route":"GET /todos/{id}"`), strings.Contains(line, `"status":200`))
	// Output: true true
}

func ExampleNewHTTPMetrics() {
	reg := prometheus.NewRegistry()
	m, _ := observability.NewHTTPMetrics(reg)
	r := httpx.NewRouter(m.Middleware())
	r.HandleFunc("GET /todos/{id}", func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	for _, p := range []string{"/todos/1", "/todos/2", "/nope"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	fmt.Println(testutil.CollectAndCount(reg, "http_requests_total"))
	// Output: 2
}

func ExampleHealth() {
	h := observability.NewHealth()
	h.AddReadiness("db", func(ctx context.Context) error { return nil })
	h.AddReadiness("cache", func(ctx context.Context) error { return errors.New("connection refused") })

	rec := httptest.NewRecorder()
	h.ReadyzHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	rep := h.Ready(context.Background())
	fmt.Println(rec.Code, rep.Checks["db"].Status, rep.Checks["cache"].Status, rep.Checks["cache"].Error)
	// Output: 503 ok fail connection refused
}
