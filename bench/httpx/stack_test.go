package httpxbench

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/observability"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// discardLogger is a production JSON zap logger writing to io.Discard, so
// both stacks pay for encoding but not for I/O.
func discardLogger() *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
}

// keelStack is RequestID + Recover + AccessLog + Metrics on keel's Router.
func keelStack() http.Handler {
	m, err := observability.NewHTTPMetrics(prometheus.NewRegistry())
	if err != nil {
		panic(err)
	}
	return newKeel(httpx.RequestID(), httpx.Recover(), observability.AccessLog(discardLogger()), m.Middleware())
}

// chiStack is the same stack as chi users write it: chi's RequestID and
// Recoverer, a zap access log on chi's WrapResponseWriter, and Prometheus
// metrics labelled by chi's route pattern.
func chiStack() http.Handler {
	log := discardLogger()
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total"}, []string{"method", "route", "code"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "http_request_duration_seconds", Buckets: prometheus.DefBuckets}, []string{"method", "route", "code"})
	inflight := prometheus.NewGauge(prometheus.GaugeOpts{Name: "http_requests_in_flight"})
	reg := prometheus.NewRegistry()
	reg.MustRegister(reqs, dur, inflight)
	classes := [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}
	accessLog := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			log.Info("request",
				zap.String("method", r.Method),
				zap.String("route", chi.RouteContext(r.Context()).RoutePattern()),
				zap.String("path", r.URL.Path),
				zap.Int("status", ww.Status()),
				zap.Int("bytes", ww.BytesWritten()),
				zap.Duration("duration", time.Since(start)),
				zap.String("remote_ip", r.RemoteAddr),
				zap.String("request_id", middleware.GetReqID(r.Context())),
			)
		})
	}
	metrics := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			inflight.Inc()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			inflight.Dec()
			route := chi.RouteContext(r.Context()).RoutePattern()
			class := classes[ww.Status()/100-1]
			reqs.WithLabelValues(r.Method, route, class).Inc()
			dur.WithLabelValues(r.Method, route, class).Observe(time.Since(start).Seconds())
		})
	}
	return newChi(middleware.RequestID, middleware.Recoverer, accessLog, metrics)
}

// BenchmarkStack is the typical production stack around the same routes.
func BenchmarkStack(b *testing.B) {
	b.Run("impl=keel", func(b *testing.B) { serveAll(b, keelStack()) })
	b.Run("impl=chi", func(b *testing.B) { serveAll(b, chiStack()) })
}
