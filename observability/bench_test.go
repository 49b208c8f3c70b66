package observability

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gokeel/keel/internal/reqctx"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func discardLogger() *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
}

// BenchmarkAccessLog compares the middleware's cost with zap's own cost for
// the same line: the difference is what AccessLog adds.
func BenchmarkAccessLog(b *testing.B) {
	l := discardLogger()
	req := httptest.NewRequest("GET", "/todos/1", nil)
	req.Pattern = "GET /todos/{id}"
	w := httptest.NewRecorder()
	b.Run("impl=zap-line-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			start := time.Now()
			l.Info("request",
				zap.String("method", req.Method), zap.String("route", req.Pattern), zap.String("path", req.URL.Path),
				zap.Int("status", 200), zap.Int64("bytes", 0), zap.Duration("duration", time.Since(start)),
				zap.String("remote_ip", "192.0.2.1"), zap.String("request_id", ""), zap.String("trace_id", ""))
		}
	})
	h := AccessLog(l)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	b.Run("impl=accesslog-middleware", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, req)
		}
	})
	// After httpx.RequestID the per-request state exists: AccessLog adds
	// nothing to zap's own allocation.
	withState, _ := reqctx.Ensure(req)
	b.Run("impl=accesslog-after-requestid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, withState)
		}
	})
}
