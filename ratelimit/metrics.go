package ratelimit

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts decisions of one limiter. A nil *metrics counts nothing.
type metrics struct {
	allowed, denied, errored prometheus.Counter
}

func newMetrics(r prometheus.Registerer, name string) (*metrics, error) {
	if r == nil {
		return nil, nil
	}
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "keel",
		Subsystem: "ratelimit",
		Name:      "decisions_total",
		Help:      "Rate limit decisions by limiter and result (allowed, denied, error).",
	}, []string{"limiter", "result"})
	if err := r.Register(vec); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, fmt.Errorf("%w: WithMetrics: %w", ErrInvalidOption, err)
		}
		existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
		if !ok {
			return nil, fmt.Errorf("%w: WithMetrics: %w", ErrInvalidOption, err)
		}
		vec = existing
	}
	return &metrics{
		allowed: vec.WithLabelValues(name, "allowed"),
		denied:  vec.WithLabelValues(name, "denied"),
		errored: vec.WithLabelValues(name, "error"),
	}, nil
}

func (m *metrics) observe(allowed bool) {
	if m == nil {
		return
	}
	if allowed {
		m.allowed.Inc()
	} else {
		m.denied.Inc()
	}
}

func (m *metrics) error() {
	if m != nil {
		m.errored.Inc()
	}
}
