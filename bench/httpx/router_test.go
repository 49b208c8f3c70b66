package httpxbench

import (
	"io"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gokeel/keel/httpx"
	"github.com/labstack/echo/v4"
)

func stdHandler(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }

func newServeMux() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.pattern, stdHandler)
	}
	return mux
}

func newKeel(mws ...func(http.Handler) http.Handler) http.Handler {
	r := httpx.NewRouter(mws...)
	for _, rt := range routes {
		r.Handle(rt.method+" "+rt.pattern, http.HandlerFunc(stdHandler))
	}
	return r
}

func newChi(mws ...func(http.Handler) http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Use(mws...)
	for _, rt := range routes {
		r.MethodFunc(rt.method, rt.pattern, stdHandler)
	}
	return r
}

func newGin() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	gin.DefaultWriter = io.Discard
	e := gin.New()
	for _, rt := range routes {
		e.Handle(rt.method, colonPattern(rt.pattern), func(c *gin.Context) { _, _ = c.Writer.Write(body) })
	}
	return e
}

func newEcho() http.Handler {
	e := echo.New()
	for _, rt := range routes {
		e.Add(rt.method, colonPattern(rt.pattern), func(c echo.Context) error {
			_, err := c.Response().Write(body)
			return err
		})
	}
	return e
}

// serveAll serves the 50 routes in turn, one request per op.
func serveAll(b *testing.B, h http.Handler) {
	reqs := requests()
	w := newDiscardWriter()
	for _, r := range reqs { // all routes must match
		w.reset()
		h.ServeHTTP(w, r)
		if w.status != 200 {
			b.Fatalf("%s %s: status %d", r.Method, r.URL.Path, w.status)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		w.reset()
		h.ServeHTTP(w, reqs[i%len(reqs)])
	}
}

// BenchmarkRouter is routing alone: no middleware.
func BenchmarkRouter(b *testing.B) {
	b.Run("impl=servemux", func(b *testing.B) { serveAll(b, newServeMux()) })
	b.Run("impl=keel", func(b *testing.B) { serveAll(b, newKeel()) })
	b.Run("impl=chi", func(b *testing.B) { serveAll(b, newChi()) })
	b.Run("impl=gin", func(b *testing.B) { serveAll(b, newGin()) })
	b.Run("impl=echo", func(b *testing.B) { serveAll(b, newEcho()) })
}
