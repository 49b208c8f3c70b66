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

// TestIdleKeysAreEvicted: keys whose state is back to fresh leave the
// store as new keys arrive, long before the bound is reached, and a key
// evicted while idle behaves exactly like one that was kept.
func TestIdleKeysAreEvicted(t *testing.T) {
	t.Parallel()
	for name, ctor := range sizedCtors() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			l := checked(ctor(ratelimit.PerSecond(10), ratelimit.WithClock(clk.Now)))(t)
			for i := range 2000 {
				_, _ = l.Allow(ctx, "old"+strconv.Itoa(i))
			}
			clk.Advance(time.Minute) // every old key is full again
			for i := range 2000 {
				_, _ = l.Allow(ctx, "new"+strconv.Itoa(i))
			}
			if n := l.Len(); n > 2600 {
				t.Fatalf("Len = %d: idle keys were not evicted (want well under 4000)", n)
			}
			for i := range 2000 {
				if res, _ := l.AllowN(ctx, "old"+strconv.Itoa(i), 10); !res.Allowed {
					t.Fatalf("idle key old%d denied a full burst", i)
				}
			}
		})
	}
}
