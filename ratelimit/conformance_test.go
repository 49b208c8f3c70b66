package ratelimit_test

import (
	"testing"
	"time"

	"github.com/gokeel/keel/internal/testenv"
	"github.com/gokeel/keel/ratelimit"
	"github.com/gokeel/keel/ratelimit/ratelimittest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	impls := []struct {
		name string
		new  ratelimittest.NewFunc
	}{
		{"Memory", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			return checked(ratelimit.NewMemory(l))(t)
		}},
		{"MemoryFrozenClock", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			return checked(ratelimit.NewMemory(l, ratelimit.WithClock(newFakeClock().Now)))(t)
		}},
		{"LeakyBucket", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			return checked(ratelimit.NewLeakyBucket(l))(t)
		}},
		{"SlidingWindow", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			// A frozen clock: with a one-day window the real clock could
			// cross a window boundary mid-test and legitimately change
			// the counts.
			return checked(ratelimit.NewSlidingWindow(l, ratelimit.WithClock(newFakeClock().Now)))(t)
		}},
		{"SlidingWindowRealClock", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			// Fixed windows are aligned to the Unix epoch, so a one-day
			// window only starts at midnight UTC; shift the clock away
			// from it.
			now := func() time.Time {
				n := time.Now()
				if n.UTC().Hour() == 0 && n.UTC().Minute() < 5 {
					n = n.Add(10 * time.Minute)
				}
				return n
			}
			return checked(ratelimit.NewSlidingWindow(l, ratelimit.WithClock(now)))(t)
		}},
		{"Redis", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			return checked(ratelimit.NewRedis(testenv.Redis(t), l,
				ratelimit.WithPrefix(testenv.Name("keeltest:rl:")+":"), ratelimit.WithTimeout(time.Minute)))(t)
		}},
		{"RedisNoDenyCache", func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
			return checked(ratelimit.NewRedis(testenv.Redis(t), l, ratelimit.WithLocalDenyCache(false),
				ratelimit.WithPrefix(testenv.Name("keeltest:rl:")+":"), ratelimit.WithTimeout(time.Minute)))(t)
		}},
	}
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			t.Parallel()
			ratelimittest.Run(t, impl.new)
		})
	}
}

// checked is v, failing t if err is not nil: checked(NewX(...))(t).
func checked[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
