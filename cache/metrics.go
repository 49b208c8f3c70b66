package cache

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// counter registers (or reuses) the counter keel_cache_<name> labelled with
// the component's name. A nil reg gives a nil counter, which inc ignores.
func counter(reg prometheus.Registerer, cacheName, name, help string) (prometheus.Counter, error) {
	if reg == nil {
		return nil, nil
	}
	if cacheName == "" {
		cacheName = "default"
	}
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace:   "keel",
		Subsystem:   "cache",
		Name:        name,
		Help:        help,
		ConstLabels: prometheus.Labels{"cache": cacheName},
	})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(prometheus.Counter); ok {
				return existing, nil
			}
		}
		return nil, err
	}
	return c, nil
}

func inc(c prometheus.Counter) {
	if c != nil {
		c.Inc()
	}
}
