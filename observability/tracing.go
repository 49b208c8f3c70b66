package observability

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// TracingOption configures [NewTracerProvider].
type TracingOption func(*tracingConfig)

type tracingConfig struct {
	service  string
	exporter sdktrace.SpanExporter
	sampler  sdktrace.Sampler
	otlp     []otlptracehttp.Option
	forceOn  bool
}

// WithServiceName sets the service.name resource attribute. Without it,
// OTEL_SERVICE_NAME (read by the SDK) or "unknown_service" applies.
func WithServiceName(name string) TracingOption {
	return func(c *tracingConfig) { c.service = name }
}

// WithExporter exports spans to e instead of OTLP (for tests, or another
// exporter).
func WithExporter(e sdktrace.SpanExporter) TracingOption {
	return func(c *tracingConfig) { c.exporter = e }
}

// WithSampler sets the sampler; the default is parent-based always-on, or
// what OTEL_TRACES_SAMPLER says.
func WithSampler(s sdktrace.Sampler) TracingOption {
	return func(c *tracingConfig) { c.sampler = s }
}

// WithOTLP turns OTLP/HTTP export on even without OTEL_* endpoint variables
// (the endpoint then defaults to localhost:4318), with extra exporter options.
func WithOTLP(opts ...otlptracehttp.Option) TracingOption {
	return func(c *tracingConfig) { c.forceOn = true; c.otlp = append(c.otlp, opts...) }
}

// NewTracerProvider returns a tracer provider and a shutdown function that
// flushes and stops it.
//
// Which exporter is used follows the standard OpenTelemetry variables:
// OTLP over HTTP when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (or [WithOTLP] is given), unless
// OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true; the exporter itself
// reads OTEL_EXPORTER_OTLP_* for endpoint, headers and timeouts. With no
// exporter configured it returns a no-op provider, so tracing costs nothing
// until it is switched on.
func NewTracerProvider(ctx context.Context, opts ...TracingOption) (trace.TracerProvider, func(context.Context) error, error) {
	var c tracingConfig
	for _, o := range opts {
		o(&c)
	}
	nop := func(context.Context) error { return nil }
	exp := c.exporter
	if exp == nil {
		if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || strings.EqualFold(os.Getenv("OTEL_TRACES_EXPORTER"), "none") {
			return noop.NewTracerProvider(), nop, nil
		}
		if !c.forceOn && os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
			return noop.NewTracerProvider(), nop, nil
		}
		if v := os.Getenv("OTEL_TRACES_EXPORTER"); v != "" && !strings.EqualFold(v, "otlp") {
			return nil, nil, fmt.Errorf("observability: OTEL_TRACES_EXPORTER=%q is not supported (otlp or none)", v)
		}
		e, err := otlptracehttp.New(ctx, c.otlp...)
		if err != nil {
			return nil, nil, fmt.Errorf("observability: OTLP exporter: %w", err)
		}
		exp = e
	}
	attrs := []attribute.KeyValue{}
	if c.service != "" {
		attrs = append(attrs, attribute.String("service.name", c.service))
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attrs...))
	if err != nil {
		res = resource.Default()
	}
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithBatcher(exp), sdktrace.WithResource(res)}
	if c.sampler != nil {
		tpOpts = append(tpOpts, sdktrace.WithSampler(c.sampler))
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)
	return tp, tp.Shutdown, nil
}

// Tracing returns middleware that starts a server span per request,
// continuing the caller's trace from a W3C traceparent header. The span is
// named by the route pattern ("GET /todos/{id}") and records method, route,
// status and errors (5xx). The span context is in the request context, so
// [Logger] and [AccessLog] add its trace_id. A nil tp uses a no-op provider.
func Tracing(tp trace.TracerProvider) func(http.Handler) http.Handler {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	if _, ok := tp.(noop.TracerProvider); ok {
		// Tracing is off: cost nothing per request.
		return func(next http.Handler) http.Handler { return next }
	}
	tracer := tp.Tracer("github.com/gokeel/keel/observability")
	prop := propagation.TraceContext{}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			route := r.Pattern
			name := route
			if name == "" {
				name = r.Method + " unmatched"
			}
			ctx, span := tracer.Start(ctx, name,
				trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(
					attribute.String("http.request.method", r.Method),
					attribute.String("url.path", r.URL.Path),
				))
			if route != "" {
				span.SetAttributes(attribute.String("http.route", route))
			}
			defer span.End()
			rec, owned := wrap(w)
			defer func() {
				status := rec.Status()
				span.SetAttributes(attribute.Int("http.response.status_code", status))
				if status >= 500 {
					span.SetStatus(codes.Error, "")
				}
				if owned {
					rec.release()
				}
			}()
			next.ServeHTTP(rec, r.WithContext(ctx))
		})
	}
}
