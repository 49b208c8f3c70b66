package observability

import (
	"net/http"
	"time"

	"github.com/gokeel/keel/internal/reqctx"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// AccessLog returns middleware that logs one line per request through l:
// method, route pattern, path, status, bytes, duration, remote IP, and the
// request ID and trace ID when there are any. 5xx responses are logged at error level, the rest at info.
// It also puts l in the request context, so handlers (and httpx's error
// writer) log through [Logger] with the same request fields.
//
// The route is r.Pattern, which keel's httpx.Router sets before middleware
// runs; with another router, place AccessLog where r.Pattern is set or
// accept "unmatched". The path is logged without its query string.
func AccessLog(l *zap.Logger) func(http.Handler) http.Handler {
	if l == nil {
		l = zap.NewNop()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec, owned := wrap(w)
			r, st := reqctx.Ensure(r)
			st.Logger = l
			defer func() {
				status := rec.Status()
				level := zapcore.InfoLevel
				if status >= 500 {
					level = zapcore.ErrorLevel
				}
				if ce := l.Check(level, "request"); ce != nil {
					fields := [...]zap.Field{
						zap.String("method", r.Method),
						zap.String("route", routeOf(r)),
						zap.String("path", r.URL.Path),
						zap.Int("status", status),
						zap.Int64("bytes", rec.bytes),
						zap.Duration("duration", time.Since(rec.start)),
						zap.String("remote_ip", clientIP(r)),
						zap.Skip(), // request_id
						zap.Skip(), // trace_id
					}
					n := 7
					if id := reqctx.ID(r.Context()); id != "" {
						fields[n] = zap.String("request_id", id)
						n++
					}
					if sc := trace.SpanContextFromContext(r.Context()); sc.HasTraceID() {
						fields[n] = zap.String("trace_id", sc.TraceID().String())
						n++
					}
					ce.Write(fields[:n]...)
				}
				if owned {
					rec.release()
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// clientIP is the address found by httpx.RealIP, else the peer's.
func clientIP(r *http.Request) string {
	if ip, ok := reqctx.ClientIP(r.Context()); ok {
		return ip.String()
	}
	return remoteHost(r.RemoteAddr)
}

func remoteHost(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			h := addr[:i]
			if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
				return h[1 : len(h)-1]
			}
			return h
		}
	}
	return addr
}
