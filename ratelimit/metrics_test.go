package ratelimit_test

import (
	"errors"
	"testing"

	"github.com/gokeel/keel/ratelimit"
	"github.com/prometheus/client_golang/prometheus"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	clk := newFakeClock()
	// Two limiters share one registerer: the counter is registered once.
	a := checked(ratelimit.NewMemory(ratelimit.PerMinute(2), ratelimit.WithMetrics(reg), ratelimit.WithName("a"), ratelimit.WithClock(clk.Now)))(t)
	b := checked(ratelimit.NewSlidingWindow(ratelimit.PerMinute(1), ratelimit.WithMetrics(reg), ratelimit.WithName("b"), ratelimit.WithClock(clk.Now)))(t)
	for range 5 {
		_, _ = a.Allow(ctx, "k")
		_, _ = b.Allow(ctx, "k")
	}
	for _, tc := range []struct {
		limiter, result string
		want            float64
	}{
		{"a", "allowed", 2}, {"a", "denied", 3}, {"b", "allowed", 1}, {"b", "denied", 4}, {"a", "error", 0},
	} {
		if got := counter(t, reg, tc.limiter, tc.result); got != tc.want {
			t.Errorf("%s/%s = %v, want %v", tc.limiter, tc.result, got, tc.want)
		}
	}
	// A clashing collector of the same name is a construction error.
	bad := prometheus.NewRegistry()
	bad.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: "keel_ratelimit_decisions_total", Help: "x"}))
	if _, err := ratelimit.NewMemory(ratelimit.PerMinute(1), ratelimit.WithMetrics(bad)); !errors.Is(err, ratelimit.ErrInvalidOption) {
		t.Fatalf("clashing metric: err = %v, want ErrInvalidOption", err)
	}
}
