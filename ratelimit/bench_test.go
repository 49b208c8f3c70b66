package ratelimit_test

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/gokeel/keel/ratelimit"
)

// BenchmarkAllow measures one decision of each memory limiter on a key
// that exists, from parallel goroutines over 10,000 keys.
func BenchmarkAllow(b *testing.B) {
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = "10.0." + strconv.Itoa(i>>8) + "." + strconv.Itoa(i&255)
	}
	for name, ctor := range memoryCtors() {
		b.Run("alg="+name, func(b *testing.B) {
			l := checked(ctor(ratelimit.PerSecond(1_000_000)))(b)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					_, _ = l.Allow(ctx, keys[i%len(keys)])
				}
			})
		})
	}
}

// BenchmarkBytesPerKey stores 1,000,000 distinct keys (IPv4 addresses as
// strings) in each memory limiter and reports the heap held per key
// (B/key). The limit keeps every key busy, so none is dropped as idle. Run
// with -benchtime=1x.
func BenchmarkBytesPerKey(b *testing.B) {
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "10." + strconv.Itoa(i>>16) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
	}
	for name, ctor := range memoryCtors() {
		b.Run("alg="+name, func(b *testing.B) {
			for range b.N {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				l := checked(ctor(ratelimit.PerHour(10)))(b)
				for _, k := range keys {
					_, _ = l.Allow(ctx, k)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(l)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/key")
			}
		})
	}
}
