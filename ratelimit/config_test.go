package ratelimit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gokeel/keel/ratelimit"
	"github.com/redis/go-redis/v9"
)

// constructors builds each limiter kind with a limit and options.
func constructors(t *testing.T) map[string]func(ratelimit.Limit, ...ratelimit.Option) (ratelimit.Limiter, error) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	return map[string]func(ratelimit.Limit, ...ratelimit.Option) (ratelimit.Limiter, error){
		"Memory": func(l ratelimit.Limit, o ...ratelimit.Option) (ratelimit.Limiter, error) {
			return ratelimit.NewMemory(l, o...)
		},
		"LeakyBucket": func(l ratelimit.Limit, o ...ratelimit.Option) (ratelimit.Limiter, error) {
			return ratelimit.NewLeakyBucket(l, o...)
		},
		"SlidingWindow": func(l ratelimit.Limit, o ...ratelimit.Option) (ratelimit.Limiter, error) {
			return ratelimit.NewSlidingWindow(l, o...)
		},
		"Redis": func(l ratelimit.Limit, o ...ratelimit.Option) (ratelimit.Limiter, error) {
			return ratelimit.NewRedis(rdb, l, o...)
		},
	}
}

func TestBadLimitIsAnErrorAtConstruction(t *testing.T) {
	t.Parallel()
	bad := map[string]ratelimit.Limit{
		"zero rate":          ratelimit.PerSecond(0),
		"negative rate":      ratelimit.PerMinute(-5),
		"zero period":        ratelimit.Per(10, 0),
		"negative period":    ratelimit.Per(10, -time.Second),
		"zero every":         ratelimit.Every(0),
		"burst zero":         ratelimit.PerSecond(10, ratelimit.Burst(0)),
		"burst negative":     ratelimit.PerSecond(10, ratelimit.Burst(-1)),
		"faster than 1/ns":   ratelimit.Per(10, 5*time.Nanosecond),
		"zero value":         {},
		"literal bad burst":  {Events: 1, Period: time.Second, Burst: -2},
		"literal no period":  {Events: 1},
		"literal no events":  {Period: time.Second},
		"every with burst 0": ratelimit.Every(time.Second, ratelimit.Burst(0)),
	}
	for kind, ctor := range constructors(t) {
		for name, l := range bad {
			t.Run(kind+"/"+name, func(t *testing.T) {
				t.Parallel()
				lim, err := ctor(l)
				if !errors.Is(err, ratelimit.ErrInvalidLimit) {
					t.Fatalf("New%s(%+v) = %v, %v; want ErrInvalidLimit", kind, l, lim, err)
				}
			})
		}
	}
}

func TestBadOptionIsAnErrorAtConstruction(t *testing.T) {
	t.Parallel()
	all := []ratelimit.Option{
		ratelimit.WithClock(nil),
		ratelimit.WithName(""),
		ratelimit.WithLogger(nil),
		ratelimit.WithMetrics(nil),
		ratelimit.WithMaxKeys(0),
		ratelimit.WithMaxKeys(-1),
	}
	redisOnly := []ratelimit.Option{
		ratelimit.WithPrefix("x:"),
		ratelimit.WithFailOpen(),
		ratelimit.WithFailClosed(),
		ratelimit.WithTimeout(time.Second),
		ratelimit.WithLocalDenyCache(false),
	}
	for kind, ctor := range constructors(t) {
		opts := all
		if kind == "Redis" {
			opts = append(opts, ratelimit.WithTimeout(0), ratelimit.WithTimeout(-time.Second))
		} else {
			opts = append(opts, redisOnly...)
		}
		for i, o := range opts {
			if _, err := ctor(ratelimit.PerSecond(1), o); !errors.Is(err, ratelimit.ErrInvalidOption) {
				t.Errorf("%s with option %d: err = %v, want ErrInvalidOption", kind, i, err)
			}
		}
		if _, err := ctor(ratelimit.PerSecond(1), nil, ratelimit.WithName("ok")); err != nil {
			t.Errorf("%s with a nil and a good option: %v", kind, err)
		}
	}
	if _, err := ratelimit.NewRedis(nil, ratelimit.PerSecond(1)); !errors.Is(err, ratelimit.ErrInvalidOption) {
		t.Errorf("NewRedis(nil client): err = %v, want ErrInvalidOption", err)
	}
}

func TestLimitConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		l                   ratelimit.Limit
		events, burst       int
		period, interval, w time.Duration
	}{
		{"PerSecond", ratelimit.PerSecond(10), 10, 10, time.Second, 100 * time.Millisecond, time.Second},
		{"PerSecondBurst", ratelimit.PerSecond(10, ratelimit.Burst(20)), 10, 20, time.Second, 100 * time.Millisecond, 2 * time.Second},
		{"PerMinute", ratelimit.PerMinute(100, ratelimit.Burst(20)), 100, 20, time.Minute, 600 * time.Millisecond, 12 * time.Second},
		{"PerHour", ratelimit.PerHour(3600), 3600, 3600, time.Hour, time.Second, time.Hour},
		{"Every", ratelimit.Every(time.Second), 1, 1, time.Second, time.Second, time.Second},
		{"EveryBurst", ratelimit.Every(time.Second, ratelimit.Burst(5)), 1, 5, time.Second, time.Second, 5 * time.Second},
		{"RoundsUp", ratelimit.PerSecond(3), 3, 3, time.Second, 333333334, 1000000002},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.l.Validate(); err != nil {
				t.Fatal(err)
			}
			if tc.l.Events != tc.events || tc.l.BurstSize() != tc.burst || tc.l.Period != tc.period {
				t.Errorf("%v: events %d burst %d period %v", tc.l, tc.l.Events, tc.l.BurstSize(), tc.l.Period)
			}
			if got := tc.l.Interval(); got != tc.interval {
				t.Errorf("Interval = %v, want %v", got, tc.interval)
			}
			if got := tc.l.Window(); got != tc.w {
				t.Errorf("Window = %v, want %v", got, tc.w)
			}
		})
	}
	if got := ratelimit.PerMinute(100, ratelimit.Burst(20)).String(); got != "100/1m0s burst 20" {
		t.Errorf("String = %q", got)
	}
}
