package cron

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	skips    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keel_cron_runs_total",
			Help: "Job runs by job and result (success, error, timeout, panic).",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "keel_cron_run_duration_seconds",
			Help:    "Duration of job runs.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 10),
		}, []string{"job"}),
		skips: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keel_cron_skips_total",
			Help: "Fire times not run here, by job and reason (overlap, misfire, lock_held, lock_error, shutdown).",
		}, []string{"job", "reason"}),
	}
	var err error
	m.runs, err = register(reg, m.runs)
	if err != nil {
		return nil, err
	}
	m.duration, err = register(reg, m.duration)
	if err != nil {
		return nil, err
	}
	m.skips, err = register(reg, m.skips)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the identical collector already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
