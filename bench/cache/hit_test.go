package cachebench

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/dgraph-io/ristretto/v2"
	rcache "github.com/go-redis/cache/v9"
	"github.com/gokeel/keel/cache"
	"github.com/maypok86/otter/v2"
)

// The parallel hit benchmarks read keys from a Zipf(1.01) trace over 16Ki
// keys, all of them resident, from every P at once.

var trace = zipfKeys(42, 1.01, hitKeys, 1<<20)

// runTrace runs fn over the trace from b.RunParallel, each goroutine from
// its own offset.
func runTrace(b *testing.B, fn func(key string)) {
	b.Helper()
	runTraceOn(b, trace, fn)
}

// runTraceOn is runTrace over tr (whose length is a power of two).
func runTraceOn(b *testing.B, tr []string, fn func(key string)) {
	b.Helper()
	var seq atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1) * 7919 * 131)
		for pb.Next() {
			fn(tr[i&(len(tr)-1)])
			i++
		}
	})
	// CPU time per operation, summed over the goroutines: unlike ns/op it
	// does not count time spent descheduled on a shared machine.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func loadValue(ctx context.Context) (value, error) { return mkValue(1), nil }

func BenchmarkHitParallel(b *testing.B) {
	ctx := context.Background()
	keys := allKeys(hitKeys)

	b.Run("impl=keel_GetOrLoad", func(b *testing.B) {
		m, _ := cache.NewMemory(cache.WithMaxEntries(2 * hitKeys))
		c, _ := cache.New[value](m, cache.WithTTL(ttl))
		defer c.Close()
		for i, k := range keys {
			_ = c.Set(ctx, k, mkValue(i))
		}
		runTrace(b, func(k string) {
			if _, err := c.GetOrLoad(ctx, k, loadValue); err != nil {
				b.Fatal(err)
			}
		})
	})

	b.Run("impl=keel_Get", func(b *testing.B) {
		m, _ := cache.NewMemory(cache.WithMaxEntries(2 * hitKeys))
		c, _ := cache.New[value](m, cache.WithTTL(ttl))
		defer c.Close()
		for i, k := range keys {
			_ = c.Set(ctx, k, mkValue(i))
		}
		runTrace(b, func(k string) {
			if _, err := c.Get(ctx, k); err != nil {
				b.Fatal(err)
			}
		})
	})

	b.Run("impl=otter_Get", func(b *testing.B) {
		c := otter.Must(&otter.Options[string, value]{MaximumSize: 2 * hitKeys, ExpiryCalculator: otter.ExpiryWriting[string, value](ttl)})
		for i, k := range keys {
			c.Set(k, mkValue(i))
		}
		loader := otter.LoaderFunc[string, value](func(ctx context.Context, _ string) (value, error) { return mkValue(1), nil })
		runTrace(b, func(k string) {
			if _, err := c.Get(ctx, k, loader); err != nil {
				b.Fatal(err)
			}
		})
	})

	b.Run("impl=otter_GetIfPresent", func(b *testing.B) {
		c := otter.Must(&otter.Options[string, value]{MaximumSize: 2 * hitKeys, ExpiryCalculator: otter.ExpiryWriting[string, value](ttl)})
		for i, k := range keys {
			c.Set(k, mkValue(i))
		}
		runTrace(b, func(k string) {
			if _, ok := c.GetIfPresent(k); !ok {
				b.Fatal("miss")
			}
		})
	})

	b.Run("impl=ristretto_Get", func(b *testing.B) {
		c, err := ristretto.NewCache(&ristretto.Config[string, value]{NumCounters: 20 * hitKeys, MaxCost: 2 * hitKeys, BufferItems: 64, IgnoreInternalCost: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for i, k := range keys {
			c.SetWithTTL(k, mkValue(i), 1, ttl)
		}
		c.Wait()
		runTrace(b, func(k string) {
			if _, ok := c.Get(k); !ok {
				b.Fatal("miss")
			}
		})
	})

	b.Run("impl=go_redis_cache_Once", func(b *testing.B) {
		c := rcache.New(&rcache.Options{LocalCache: rcache.NewTinyLFU(2*hitKeys, ttl)})
		for i, k := range keys {
			if err := c.Set(&rcache.Item{Ctx: ctx, Key: k, Value: mkValue(i), TTL: ttl}); err != nil {
				b.Fatal(err)
			}
		}
		runTrace(b, func(k string) {
			var v value
			if err := c.Once(&rcache.Item{Ctx: ctx, Key: k, Value: &v, Do: func(*rcache.Item) (any, error) { return mkValue(1), nil }}); err != nil {
				b.Fatal(err)
			}
		})
	})
}
