package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gokeel/keel"
)

// BenchmarkCachedGet serves GET /v1/todos/{id} from the cache through the
// whole middleware stack, in process: the cost and allocations per request
// that load.sh measures over the network.
func BenchmarkCachedGet(b *testing.B) {
	b.Setenv("DATA_DIR", b.TempDir())
	b.Setenv("API_RATE_PER_SECOND", "100000000")
	cfg, _ := loadConfig()
	app := keel.New("bench", keel.WithSignals())
	svc, err := build(context.Background(), cfg, app)
	if err != nil {
		b.Fatal(err)
	}
	h := svc.routes(app)
	do := func(method, path, tok, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	do("POST", "/v1/auth/register", "", `{"email":"a@example.com","password":"password123"}`)
	w := do("POST", "/v1/auth/login", "", `{"email":"a@example.com","password":"password123"}`)
	tok := strings.Split(strings.Split(w.Body.String(), `"access_token":"`)[1], `"`)[0]
	do("POST", "/v1/todos", tok, `{"title":"milk"}`)
	req := httptest.NewRequest("GET", "/v1/todos/1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	b.ReportAllocs()
	for b.Loop() {
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, req)
		if rw.Code != http.StatusOK {
			b.Fatal(rw.Code, rw.Body.String())
		}
	}
}
