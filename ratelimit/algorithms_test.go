package ratelimit_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gokeel/keel/ratelimit"
)

var ctx = context.Background()

type step struct {
	advance time.Duration
	n       int
	allowed bool
	// checked when non-negative
	remaining int
	retry     time.Duration
	delay     time.Duration
}

func runSteps(t *testing.T, l ratelimit.Limiter, clk *fakeClock, steps []step) {
	t.Helper()
	for i, s := range steps {
		clk.Advance(s.advance)
		res, err := l.AllowN(ctx, "k", s.n)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Allowed != s.allowed {
			t.Fatalf("step %d (+%v, n=%d): allowed = %v, want %v (%+v)", i, s.advance, s.n, res.Allowed, s.allowed, res)
		}
		if s.remaining >= 0 && res.Remaining != s.remaining {
			t.Errorf("step %d: remaining = %d, want %d", i, res.Remaining, s.remaining)
		}
		if s.retry >= 0 && res.RetryAfter != s.retry {
			t.Errorf("step %d: retry after = %v, want %v", i, res.RetryAfter, s.retry)
		}
		if s.delay >= 0 && res.Delay != s.delay {
			t.Errorf("step %d: delay = %v, want %v", i, res.Delay, s.delay)
		}
	}
}

const any_ = -1

func TestTokenBucketRefillsOnTheClock(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := checked(ratelimit.NewMemory(ratelimit.PerSecond(10, ratelimit.Burst(20)), ratelimit.WithClock(clk.Now)))(t)
	steps := []step{{0, 20, true, 0, 0, 0}, {0, 1, false, 0, 100 * time.Millisecond, 0}}
	steps = append(steps,
		step{99 * time.Millisecond, 1, false, 0, time.Millisecond, 0},
		step{time.Millisecond, 1, true, 0, 0, 0},
		step{time.Second, 5, true, 5, 0, 0}, // 10 refilled, 5 taken
		step{0, 6, false, 5, 100 * time.Millisecond, 0},
		step{time.Hour, 20, true, 0, 0, 0}, // refill caps at the burst
	)
	runSteps(t, l, clk, steps)
}

func TestLeakyBucketQueuesEvenly(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := checked(ratelimit.NewLeakyBucket(ratelimit.PerSecond(10, ratelimit.Burst(3)), ratelimit.WithClock(clk.Now)))(t)
	ms := time.Millisecond
	runSteps(t, l, clk, []step{
		{0, 1, true, 2, 0, 0},
		{0, 1, true, 1, 0, 100 * ms},
		{0, 1, true, 0, 0, 200 * ms},
		{0, 1, false, 0, 100 * ms, any_}, // the queue holds 3: no burst beyond it
		{50 * ms, 1, false, 0, 50 * ms, any_},
		{50 * ms, 1, true, 0, 0, 200 * ms}, // one left; joins the back of the queue
		{time.Second, 2, true, 1, 0, 0},
		{0, 1, true, 0, 0, 200 * ms},
	})
}

func TestSlidingWindowHasNoEdgeBurst(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	// Align the clock 59.9s into a minute window.
	now := clk.Now()
	clk.Advance(now.Truncate(time.Minute).Add(time.Minute + 59900*time.Millisecond).Sub(now))
	l := checked(ratelimit.NewSlidingWindow(ratelimit.PerMinute(10), ratelimit.WithClock(clk.Now)))(t)
	runSteps(t, l, clk, []step{
		{0, 10, true, 0, 0, 0},
		// 0.2s later a fixed window would have reset; the sliding one
		// still counts ~all 10.
		{200 * time.Millisecond, 1, false, 0, any_, 0},
		// Half way through the next window the previous count weighs 5.
		{29900 * time.Millisecond, 5, true, 0, 0, 0},
		{0, 1, false, 0, any_, 0},
		// Two windows later everything is forgotten.
		{2 * time.Minute, 10, true, 0, 0, 0},
	})
}

// TestRetryAfterIsAccurate checks, for every memory algorithm, that a
// denied request is still denied a little before its RetryAfter and is
// allowed at it.
func TestRetryAfterIsAccurate(t *testing.T) {
	t.Parallel()
	limits := []ratelimit.Limit{
		ratelimit.PerSecond(10, ratelimit.Burst(20)),
		ratelimit.PerMinute(7),
		ratelimit.Every(3*time.Second, ratelimit.Burst(2)),
		ratelimit.PerHour(1000, ratelimit.Burst(1)),
	}
	for name, ctor := range memoryCtors() {
		for _, lim := range limits {
			t.Run(name+"/"+lim.String(), func(t *testing.T) {
				t.Parallel()
				clk := newFakeClock()
				l := checked(ctor(lim, ratelimit.WithClock(clk.Now)))(t)
				rng := rand.New(rand.NewPCG(1, 2))
				for range 300 {
					n := 1 + rng.IntN(max(lim.BurstSize(), lim.Events)/2+1)
					res, err := l.AllowN(ctx, "k", min(n, lim.Events, lim.BurstSize()))
					if err != nil {
						t.Fatal(err)
					}
					if res.Allowed {
						clk.Advance(time.Duration(rng.Int64N(int64(lim.Interval()))))
						continue
					}
					n = min(n, lim.Events, lim.BurstSize())
					d := res.RetryAfter
					if d <= 0 {
						t.Fatalf("denied with RetryAfter %v", d)
					}
					slack := max(d/1000, time.Microsecond)
					if d > slack {
						clk.Advance(d - slack)
						if r2, _ := l.AllowN(ctx, "k", n); r2.Allowed {
							t.Fatalf("allowed %v before the RetryAfter of %v", slack, d)
						}
						clk.Advance(slack)
					} else {
						clk.Advance(d)
					}
					if r2, _ := l.AllowN(ctx, "k", n); !r2.Allowed {
						t.Fatalf("denied at its RetryAfter %v: %+v", d, r2)
					}
				}
			})
		}
	}
}

func memoryCtors() map[string]func(ratelimit.Limit, ...ratelimit.Option) (ratelimit.Limiter, error) {
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
	}
}

// TestClockGoingBackIsSafe: a clock that steps back (NTP) admits nothing
// extra.
func TestClockGoingBackIsSafe(t *testing.T) {
	t.Parallel()
	for name, ctor := range memoryCtors() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			l := checked(ctor(ratelimit.PerMinute(5), ratelimit.WithClock(clk.Now)))(t)
			if res, _ := l.AllowN(ctx, "k", 5); !res.Allowed {
				t.Fatal("first burst denied")
			}
			clk.Advance(-time.Hour)
			if res, _ := l.Allow(ctx, "k"); res.Allowed {
				t.Fatalf("allowed after the clock went back: %+v", res)
			}
		})
	}
}
