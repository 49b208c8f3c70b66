package httpx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
		t.Fatalf("Content-Type = %q, want %q (body %q)", ct, ProblemContentType, rec.Body.String())
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body.String(), err)
	}
	if p.Status != rec.Code {
		t.Fatalf("problem status %d != response status %d", p.Status, rec.Code)
	}
	return p
}

func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestRouterNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	for _, withMW := range []bool{false, true} {
		r := NewRouter()
		if withMW {
			r.Use(func(next http.Handler) http.Handler { return next })
		}
		r.Handle("GET /todos/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		r.Handle("DELETE /todos/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

		rec := serve(r, "GET", "/nope")
		if rec.Code != 404 {
			t.Fatalf("mw=%v: status %d, want 404", withMW, rec.Code)
		}
		if p := decodeProblem(t, rec); p.Instance != "/nope" || p.Title != "Not Found" {
			t.Fatalf("mw=%v: problem %+v", withMW, p)
		}

		rec = serve(r, "POST", "/todos/1")
		if rec.Code != 405 {
			t.Fatalf("mw=%v: status %d, want 405", withMW, rec.Code)
		}
		if allow := rec.Header().Get("Allow"); allow != "DELETE, GET, HEAD" {
			t.Fatalf("mw=%v: Allow = %q", withMW, allow)
		}
		decodeProblem(t, rec)
	}
}

func TestRouterPatternVisibleToMiddleware(t *testing.T) {
	t.Parallel()
	var seen string
	r := NewRouter(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = r.Pattern // before next runs
			next.ServeHTTP(w, r)
		})
	})
	r.Handle("GET /todos/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.PathValue("id")))
	}))
	rec := serve(r, "GET", "/todos/42")
	if seen != "GET /todos/{id}" || rec.Body.String() != "42" {
		t.Fatalf("pattern %q body %q", seen, rec.Body.String())
	}
	serve(r, "GET", "/other")
	if seen != "" {
		t.Fatalf("pattern for unmatched path = %q, want empty", seen)
	}
}

func TestRouterGroupWithMount(t *testing.T) {
	t.Parallel()
	var order []string
	mark := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.URL.Path)) })
	r := NewRouter(mark("root"))
	r.Group("/v1", func(g *Router) {
		g.Use(mark("v1"))
		g.Handle("GET /todos", ok)
		g.With(mark("route")).Handle("POST /todos", ok)
		g.Group("/admin", func(a *Router) {
			a.Use(mark("admin"))
			a.Handle("GET /stats", ok)
		})
	})
	r.Handle("GET /plain", ok)
	r.Mount("/files", ok)

	cases := []struct {
		method, path string
		order        []string
		body         string
	}{
		{"GET", "/v1/todos", []string{"root", "v1"}, "/v1/todos"},
		{"POST", "/v1/todos", []string{"root", "v1", "route"}, "/v1/todos"},
		{"GET", "/v1/admin/stats", []string{"root", "v1", "admin"}, "/v1/admin/stats"},
		{"GET", "/plain", []string{"root"}, "/plain"},
		{"GET", "/files/a/b.txt", []string{"root"}, "/a/b.txt"},
	}
	for _, c := range cases {
		order = nil
		rec := serve(r, c.method, c.path)
		if rec.Code != 200 || rec.Body.String() != c.body || len(order) != len(c.order) {
			t.Fatalf("%s %s: %d %q order %v, want %q %v", c.method, c.path, rec.Code, rec.Body.String(), order, c.body, c.order)
		}
		for i := range order {
			if order[i] != c.order[i] {
				t.Fatalf("%s %s: order %v, want %v", c.method, c.path, order, c.order)
			}
		}
	}
}

func TestHandlerFuncErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"typed", NewError(409, "taken"), 409, "taken"},
		{"wrapped", errorsJoin(NewError(404, "gone")), 404, "gone"},
		{"internal", errSecret, 500, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := HandlerFunc(func(w http.ResponseWriter, r *http.Request) error { return c.err })
			rec := serve(h, "GET", "/x")
			p := decodeProblem(t, rec)
			if rec.Code != c.status || p.Detail != c.detail {
				t.Fatalf("got %d %q, want %d %q", rec.Code, p.Detail, c.status, c.detail)
			}
			if c.status == 500 && containsStr(rec.Body.String(), "secret") {
				t.Fatalf("internal error text leaked: %s", rec.Body.String())
			}
		})
	}
}
