// Package observability gives a keel service its logs, metrics, traces and
// health endpoints, on zap, prometheus/client_golang and OpenTelemetry. It
// takes the ecosystem's own types and installs nothing globally: no global
// logger, registry or tracer provider is touched.
//
// # Logs
//
// [NewLogger] builds a zap logger (JSON in production, console in
// development; level from [WithLevel] or KEEL_LOG_LEVEL). [AccessLog] logs a
// line per request with method, route pattern, status, bytes, duration,
// remote IP, request ID and trace ID, and puts the logger in the request
// context, where [Logger] finds it with the request's fields:
//
//	observability.Logger(r.Context()).Info("todo created", zap.Int64("id", id))
//
// # Metrics
//
// [NewHTTPMetrics] registers request count, duration histogram and in-flight
// gauge, labelled by method, route pattern and status class — never by raw
// path, so series stay bounded. [RegisterRuntimeMetrics] adds the Go and
// process collectors and [MetricsHandler] serves /metrics.
//
// # Traces
//
// [NewTracerProvider] exports spans over OTLP/HTTP when the standard
// OTEL_EXPORTER_OTLP_ENDPOINT variable (or an option) says so, and is a
// no-op otherwise. [Tracing] continues W3C traceparent headers and names
// spans by route pattern.
//
// # Health
//
// [Health] runs named checks concurrently with per-check timeouts and
// serves /livez and /readyz as JSON (200 or 503). [Health.Drain] flips
// readiness to 503 at shutdown so load balancers stop sending traffic first.
//
// # Route patterns
//
// The middleware here label requests by r.Pattern. keel's httpx.Router sets
// it before any middleware runs; with the standard ServeMux it is set only
// inside the mux, so wrap handlers rather than the mux, or requests are
// labelled "unmatched".
package observability
