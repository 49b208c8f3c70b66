// Package ratelimitbench compares keel's ratelimit package with
// golang.org/x/time/rate, sethvargo/go-limiter, ulule/limiter and
// go-redis/redis_rate. See README.md for results.
package ratelimitbench

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeel/keel/ratelimit"
	sethlimiter "github.com/sethvargo/go-limiter"
	"github.com/sethvargo/go-limiter/memorystore"
	ulule "github.com/ulule/limiter/v3"
	ululemem "github.com/ulule/limiter/v3/drivers/store/memory"
	"golang.org/x/time/rate"
)

// A generous limit, so the benchmarks measure the bookkeeping of allowed
// requests rather than a path that gives up early.
const (
	events = 1_000_000
	period = time.Second
)

var ctx = context.Background()

// allowFunc is one library's per-key Allow.
type allowFunc func(key string) bool

// limitSpec is the limit every library is given: events per period, with
// a burst of events.
type limitSpec struct {
	events int
	period time.Duration
}

// fast keeps every request allowed; slow keeps keys busy (not back to
// full) for the whole run, so no store may drop them as idle.
var (
	fast = limitSpec{events, period}
	slow = limitSpec{10, time.Hour}
)

func keelMemory(tb testing.TB, ls limitSpec) allowFunc {
	l, err := ratelimit.NewMemory(ratelimit.Per(ls.events, ls.period))
	if err != nil {
		tb.Fatal(err)
	}
	return func(key string) bool {
		res, _ := l.Allow(ctx, key)
		return res.Allowed
	}
}

func sethvargo(tb testing.TB, ls limitSpec) allowFunc {
	s, err := memorystore.New(&memorystore.Config{Tokens: uint64(ls.events), Interval: ls.period})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close(ctx) })
	var _ sethlimiter.Store = s
	return func(key string) bool {
		_, _, _, ok, _ := s.Take(ctx, key)
		return ok
	}
}

func ululeMemory(tb testing.TB, ls limitSpec) allowFunc {
	l := ulule.New(ululemem.NewStore(), ulule.Rate{Period: ls.period, Limit: int64(ls.events)})
	return func(key string) bool {
		c, _ := l.Get(ctx, key)
		return !c.Reached
	}
}

var peers = []struct {
	name string
	new  func(testing.TB, limitSpec) allowFunc
}{
	{"keel", keelMemory},
	{"sethvargo", sethvargo},
	{"ulule", ululeMemory},
}

var sink atomic.Int64

// BenchmarkAllowSingleKey: every goroutine hits one key. x/time/rate is a
// bare rate.Limiter (no key lookup at all), the floor for the others.
func BenchmarkAllowSingleKey(b *testing.B) {
	b.Run("lib=xtime_rate", func(b *testing.B) {
		l := rate.NewLimiter(rate.Limit(float64(events)/period.Seconds()), events)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			n := 0
			for pb.Next() {
				if l.Allow() {
					n++
				}
			}
			sink.Add(int64(n))
		})
	})
	for _, p := range peers {
		b.Run("lib="+p.name, func(b *testing.B) {
			allow := p.new(b, fast)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				n := 0
				for pb.Next() {
					if allow("203.0.113.7") {
						n++
					}
				}
				sink.Add(int64(n))
			})
		})
	}
}

// BenchmarkAllowManyKeys: goroutines spread over 100,000 existing keys,
// like a limiter keyed by client IP.
func BenchmarkAllowManyKeys(b *testing.B) {
	keys := ipKeys(100_000)
	for _, p := range peers {
		b.Run("lib="+p.name, func(b *testing.B) {
			allow := p.new(b, fast)
			for _, k := range keys {
				allow(k)
			}
			var seq atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := seq.Add(7919) * 7919
				n := 0
				for pb.Next() {
					i++
					if allow(keys[i%uint64(len(keys))]) {
						n++
					}
				}
				sink.Add(int64(n))
			})
		})
	}
}

func ipKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
	}
	return keys
}

// BenchmarkBytesPerKey stores 1,000,000 distinct IP keys and reports the
// heap they hold, per key (B/key). Run it with -benchtime=1x.
func BenchmarkBytesPerKey(b *testing.B) {
	const n = 1_000_000
	keys := ipKeys(n)
	for _, p := range peers {
		b.Run("lib="+p.name, func(b *testing.B) {
			for range b.N {
				perKey := bytesPerKey(b, p.new, keys)
				b.ReportMetric(perKey, "B/key")
			}
		})
	}
}

func bytesPerKey(b *testing.B, newAllow func(testing.TB, limitSpec) allowFunc, keys []string) float64 {
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	allow := newAllow(b, slow)
	b.StartTimer()
	for _, k := range keys {
		allow(k)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(allow)
	b.StartTimer()
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(len(keys))
}
