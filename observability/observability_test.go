package observability

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gokeel/keel/internal/reqctx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// withPattern mimics httpx.Router: the pattern is known before middleware.
func withPattern(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = pattern
		h.ServeHTTP(w, r)
	})
}

func TestNewLoggerLevel(t *testing.T) {
	var buf bytes.Buffer
	t.Setenv(EnvLogLevel, "warn")
	l, err := NewLogger(WithOutput(&buf))
	if err != nil {
		t.Fatal(err)
	}
	l.Info("hidden")
	l.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), `"msg":"shown"`) {
		t.Fatalf("output %q", buf.String())
	}
	l2, _ := NewLogger(WithOutput(&buf), WithLevel("debug"))
	if !l2.Core().Enabled(-1) {
		t.Fatal("WithLevel did not override the environment")
	}
	if _, err := NewLogger(WithLevel("loud")); err == nil {
		t.Fatal("bad level accepted")
	}
	t.Setenv(EnvLogLevel, "nonsense")
	if _, err := NewLogger(); err == nil || !strings.Contains(err.Error(), EnvLogLevel) {
		t.Fatalf("bad env level: %v", err)
	}
}

func TestAccessLogAndTraceID(t *testing.T) {
	var buf bytes.Buffer
	l, _ := NewLogger(WithOutput(&buf))
	sr := tracetest.NewSpanRecorder()
	tp := trace.NewTracerProvider(trace.WithSpanProcessor(sr))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	var handlerLog string
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Logger(r.Context()).Info("inside")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("short"))
	})
	requestID := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(reqctx.WithID(r.Context(), "rid-1")))
		})
	}
	h := withPattern("GET /tea/{id}", requestID(Tracing(tp)(AccessLog(l)(inner))))
	req := httptest.NewRequest("GET", "/tea/1?secret=x", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %q", buf.String())
	}
	handlerLog = lines[0]
	if !strings.Contains(handlerLog, `"request_id":"rid-1"`) || !strings.Contains(handlerLog, `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`) {
		t.Fatalf("handler log lacks request fields: %s", handlerLog)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"method": "GET", "route": "GET /tea/{id}", "path": "/tea/1", "status": 418.0, "bytes": 5.0,
		"remote_ip": "192.0.2.1", "request_id": "rid-1", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("access log %s = %v, want %v", k, entry[k], v)
		}
	}
	spans := sr.Ended()
	if len(spans) != 1 || spans[0].Name() != "GET /tea/{id}" || spans[0].Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("spans %+v", spans)
	}
}

func TestMetricsLabelsByRoute(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewHTTPMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterRuntimeMetrics(reg); err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for i := 0; i < 50; i++ {
		withPattern("GET /todos/{id}", m.Middleware()(ok)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/todos/"+strings.Repeat("x", i), nil))
	}
	m.Middleware()(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/random/path", nil))
	if n := testutil.CollectAndCount(reg, "http_requests_total"); n != 2 {
		t.Fatalf("series = %d, want 2 (one per route)", n)
	}
	if v := testutil.ToFloat64(m.requests.WithLabelValues("GET", "GET /todos/{id}", "2xx")); v != 50 {
		t.Fatalf("count = %v", v)
	}
	if v := testutil.ToFloat64(m.requests.WithLabelValues("OTHER", "unmatched", "4xx")); v != 1 {
		t.Fatalf("unmatched count = %v", v)
	}
	if _, err := NewHTTPMetrics(reg); err == nil {
		t.Fatal("double registration accepted")
	}

	rec := httptest.NewRecorder()
	MetricsHandler(reg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, "go_goroutines") || !strings.Contains(body, `http_request_duration_seconds_bucket{code="2xx",method="GET",route="GET /todos/{id}"`) {
		t.Fatalf("metrics output lacks series:\n%s", body[:min(len(body), 2000)])
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("KEEL_TEST_REQUIRE") != "" {
			t.Fatal("promtool not on PATH (KEEL_TEST_REQUIRE is set)")
		}
		t.Log("promtool not on PATH; skipping the promtool check")
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestHealth(t *testing.T) {
	h := NewHealth()
	release := make(chan struct{})
	defer close(release)
	h.AddReadiness("fast", func(ctx context.Context) error { return nil })
	h.AddReadiness("stuck", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, CheckTimeout(20*time.Millisecond))
	h.AddReadiness("ignores-ctx", func(ctx context.Context) error { <-release; return nil }, CheckTimeout(20*time.Millisecond))
	h.AddReadiness("panics", func(ctx context.Context) error { panic("boom") })
	h.AddLiveness("loop", func(ctx context.Context) error { return nil })

	rep := h.Ready(context.Background())
	if rep.OK() || rep.Checks["fast"].Status != "ok" || rep.Checks["stuck"].Status != "fail" ||
		rep.Checks["ignores-ctx"].Error != "timed out after 20ms" || !strings.Contains(rep.Checks["panics"].Error, "boom") {
		t.Fatalf("report %+v", rep)
	}
	if !h.Live(context.Background()).OK() {
		t.Fatal("liveness failed")
	}

	ready := NewHealth()
	ready.AddReadiness("db", func(ctx context.Context) error { return nil })
	rec := httptest.NewRecorder()
	ready.ReadyzHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 {
		t.Fatalf("readyz %d", rec.Code)
	}
	ready.Drain()
	rec = httptest.NewRecorder()
	ready.ReadyzHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	var body Report
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 503 || body.Checks["shutdown"].Error != ErrDraining.Error() {
		t.Fatalf("after Drain: %d %s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	ready.LivezHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/livez", nil))
	if rec.Code != 200 {
		t.Fatalf("livez after drain %d", rec.Code)
	}
}

func TestTracerProviderFromEnv(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	tp, shutdown, err := NewTracerProvider(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tp.(*trace.TracerProvider); ok {
		t.Fatal("want a no-op provider without an endpoint")
	}
	_ = shutdown(context.Background())

	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	tp, shutdown, err = NewTracerProvider(context.Background(), WithServiceName("svc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tp.(*trace.TracerProvider); !ok {
		t.Fatalf("want an SDK provider with an endpoint, got %T", tp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = shutdown(ctx)

	t.Setenv("OTEL_TRACES_EXPORTER", "zipkin")
	if _, _, err := NewTracerProvider(context.Background()); err == nil {
		t.Fatal("unsupported exporter accepted")
	}
}
