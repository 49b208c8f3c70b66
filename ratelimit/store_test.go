package ratelimit_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel/ratelimit"
)

type sized interface {
	ratelimit.Limiter
	Len() int
}

func sizedCtors() map[string]func(ratelimit.Limit, ...ratelimit.Option) (sized, error) {
	return map[string]func(ratelimit.Limit, ...ratelimit.Option) (sized, error){
		"Memory": func(l ratelimit.Limit, o ...ratelimit.Option) (sized, error) {
			return ratelimit.NewMemory(l, o...)
		},
		"LeakyBucket": func(l ratelimit.Limit, o ...ratelimit.Option) (sized, error) {
			return ratelimit.NewLeakyBucket(l, o...)
		},
		"SlidingWindow": func(l ratelimit.Limit, o ...ratelimit.Option) (sized, error) {
			return ratelimit.NewSlidingWindow(l, o...)
		},
	}
}

// TestStoreIsBounded floods a limiter with distinct keys from many
// goroutines: it never holds more than MaxKeys.
func TestStoreIsBounded(t *testing.T) {
	t.Parallel()
	for name, ctor := range sizedCtors() {
		for _, maxKeys := range []int{1, 7, 1000} {
			t.Run(name+"/"+strconv.Itoa(maxKeys), func(t *testing.T) {
				t.Parallel()
				l := checked(ctor(ratelimit.PerMinute(10), ratelimit.WithMaxKeys(maxKeys)))(t)
				var wg sync.WaitGroup
				for g := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range 5000 {
							if _, err := l.Allow(ctx, strconv.Itoa(g)+"-"+strconv.Itoa(i)); err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				if n := l.Len(); n > maxKeys || n < 1 {
					t.Fatalf("Len = %d after 20000 distinct keys, want 1..%d", n, maxKeys)
				}
			})
		}
	}
}

// TestEvictionSparesSpentKeys: a flood of new keys evicts keys that are
// closer to full before a spent one, so an attacker cannot reset its own
// spent bucket by flooding the store with other keys.
func TestEvictionSparesSpentKeys(t *testing.T) {
	t.Parallel()
	for name, ctor := range sizedCtors() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			l := checked(ctor(ratelimit.PerMinute(10), ratelimit.WithMaxKeys(64), ratelimit.WithClock(clk.Now)))(t)
			if res, _ := l.AllowN(ctx, "spent", 10); !res.Allowed {
				t.Fatal("burst denied")
			}
			for i := range 10_000 {
				_, _ = l.Allow(ctx, strconv.Itoa(i))
			}
			if res, _ := l.Allow(ctx, "spent"); res.Allowed {
				t.Fatal("spent key allowed again after a flood of other keys: it was evicted")
			}
		})
	}
}

// TestIdleKeysAreEvictedFirst: when the store is full, keys whose state
// is back to fresh make room before active ones, and a key evicted while
// idle behaves exactly like one that was kept.
func TestIdleKeysAreEvictedFirst(t *testing.T) {
	t.Parallel()
	for name, ctor := range sizedCtors() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			l := checked(ctor(ratelimit.PerSecond(10), ratelimit.WithClock(clk.Now), ratelimit.WithMaxKeys(3500)))(t)
			for i := range 2000 {
				_, _ = l.Allow(ctx, "old"+strconv.Itoa(i))
			}
			clk.Advance(time.Minute) // every old key is fresh again
			for i := range 2000 {
				_, _ = l.Allow(ctx, "new"+strconv.Itoa(i))
			}
			if n := l.Len(); n > 3500 {
				t.Fatalf("Len = %d, want at most 3500", n)
			}
			// An active key that was kept denies a full burst; one that was
			// evicted would allow it. Sampling makes a few losses possible.
			lost := 0
			for i := range 2000 {
				if res, _ := l.AllowN(ctx, "new"+strconv.Itoa(i), 10); res.Allowed {
					lost++
				}
			}
			if lost > 40 {
				t.Fatalf("%d of 2000 active keys evicted while 2000 idle ones were available", lost)
			}
			for i := range 2000 {
				if res, _ := l.AllowN(ctx, "old"+strconv.Itoa(i), 10); !res.Allowed {
					t.Fatalf("idle key old%d denied a full burst", i)
				}
			}
			t.Logf("active keys lost: %d", lost)
		})
	}
}
