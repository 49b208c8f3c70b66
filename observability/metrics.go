package observability

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// defaultDurationBuckets are the request duration histogram buckets, in
// seconds: 5 ms to 10 s.
var defaultDurationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// HTTPMetrics holds the Prometheus metrics of an HTTP server. Create it with
// [NewHTTPMetrics] and install [HTTPMetrics.Middleware]. It is safe for
// concurrent use.
type HTTPMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	series   sync.Map // seriesKey → *series: skips label hashing on the hot path
}

type seriesKey struct{ method, route, class string }

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// seriesFor returns the counter and histogram of one label combination.
func (m *HTTPMetrics) seriesFor(method, route, class string) *series {
	k := seriesKey{method, route, class}
	if s, ok := m.series.Load(k); ok {
		return s.(*series)
	}
	s := &series{
		requests: m.requests.WithLabelValues(method, route, class),
		duration: m.duration.WithLabelValues(method, route, class),
	}
	actual, _ := m.series.LoadOrStore(k, s)
	return actual.(*series)
}

// MetricsOption configures [NewHTTPMetrics].
type MetricsOption func(*metricsConfig)

type metricsConfig struct {
	namespace string
	buckets   []float64
	labels    prometheus.Labels
}

// WithNamespace prefixes metric names: "todo" gives todo_http_requests_total.
func WithNamespace(ns string) MetricsOption {
	return func(c *metricsConfig) { c.namespace = ns }
}

// WithBuckets sets the duration histogram buckets, in seconds.
func WithBuckets(b []float64) MetricsOption {
	return func(c *metricsConfig) { c.buckets = append([]float64(nil), b...) }
}

// WithConstLabels adds labels with fixed values to every metric.
func WithConstLabels(l prometheus.Labels) MetricsOption {
	return func(c *metricsConfig) { c.labels = l }
}

// NewHTTPMetrics creates the HTTP metrics and registers them with reg:
//
//   - http_requests_total{method, route, code} — counter; code is the status
//     class ("2xx", "4xx", ...);
//   - http_request_duration_seconds{method, route, code} — histogram;
//   - http_requests_in_flight — gauge.
//
// route is the route pattern ("GET /todos/{id}"), never the raw path, so the
// number of series stays bounded; unmatched requests share route="unmatched".
func NewHTTPMetrics(reg prometheus.Registerer, opts ...MetricsOption) (*HTTPMetrics, error) {
	if reg == nil {
		return nil, errors.New("observability: NewHTTPMetrics needs a Registerer")
	}
	c := metricsConfig{buckets: defaultDurationBuckets}
	for _, o := range opts {
		o(&c)
	}
	m := &HTTPMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: c.namespace, Name: "http_requests_total",
			Help:        "HTTP requests served, by method, route pattern and status class.",
			ConstLabels: c.labels,
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: c.namespace, Name: "http_request_duration_seconds",
			Help:        "Time to serve HTTP requests, by method, route pattern and status class.",
			Buckets:     c.buckets,
			ConstLabels: c.labels,
		}, []string{"method", "route", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: c.namespace, Name: "http_requests_in_flight",
			Help:        "HTTP requests being served.",
			ConstLabels: c.labels,
		}),
	}
	for _, col := range []prometheus.Collector{m.requests, m.duration, m.inFlight} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("observability: register HTTP metrics: %w", err)
		}
	}
	return m, nil
}

// Middleware returns the middleware that records every request.
func (m *HTTPMetrics) Middleware() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.inFlight.Inc()
			rec, owned := wrap(w)
			defer func() {
				m.inFlight.Dec()
				s := m.seriesFor(normalMethod(r.Method), routeOf(r), statusClass(rec.Status()))
				s.requests.Inc()
				s.duration.Observe(time.Since(rec.start).Seconds())
				if owned {
					rec.release()
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// normalMethod bounds the method label to the standard methods.
func normalMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

var classes = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

func statusClass(code int) string {
	if c := code / 100; c >= 1 && c <= 5 {
		return classes[c-1]
	}
	return strconv.Itoa(code)
}

// RegisterRuntimeMetrics registers the Go runtime and process collectors
// (go_*, process_*) with reg.
func RegisterRuntimeMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("observability: register runtime metrics: %w", err)
		}
	}
	return nil
}

// MetricsHandler serves the metrics gathered by g in the Prometheus text
// format (or OpenMetrics when the scraper asks for it).
func MetricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{EnableOpenMetrics: true})
}
