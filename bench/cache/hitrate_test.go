package cachebench

import (
	"context"
	"sync"
	"testing"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/gokeel/keel/cache"
	"github.com/maypok86/otter/v2"
)

// The hit-rate comparison: a Zipf(1.01) trace of 2,000,000 accesses over
// 1,000,000 keys, each cache holding 10,000 entries (1% of the keys). A miss
// inserts the key.
const (
	zipfSpace    = 1_000_000
	zipfCapacity = zipfSpace / 100
	zipfLen      = 2_000_000
)

var zipfTrace = sync.OnceValue(func() []string { return zipfKeys(7, 1.01, zipfSpace, zipfLen) })

// simulator is one cache under the trace.
type simulator struct {
	name string
	new  func() (get func(string) bool, set func(string))
}

var simulators = []simulator{
	{"keel", func() (func(string) bool, func(string)) {
		m, _ := cache.NewMemory(cache.WithMaxEntries(zipfCapacity))
		c, _ := cache.New[value](m, cache.WithTTL(ttl))
		ctx := context.Background()
		return func(k string) bool { _, err := c.Get(ctx, k); return err == nil },
			func(k string) { _ = c.Set(ctx, k, value{}) }
	}},
	{"otter", func() (func(string) bool, func(string)) {
		c := otter.Must(&otter.Options[string, value]{MaximumSize: zipfCapacity})
		return func(k string) bool { _, ok := c.GetIfPresent(k); return ok },
			func(k string) { c.Set(k, value{}) }
	}},
	{"ristretto", func() (func(string) bool, func(string)) {
		c, _ := ristretto.NewCache(&ristretto.Config[string, value]{NumCounters: 10 * zipfCapacity, MaxCost: zipfCapacity, BufferItems: 64, IgnoreInternalCost: true})
		return func(k string) bool { _, ok := c.Get(k); return ok },
			func(k string) { c.Set(k, value{}, 1); c.Wait() } // Wait: give it every insert
	}},
}

func hitRate(s simulator, trace []string) float64 {
	get, set := s.new()
	hits := 0
	for _, k := range trace {
		if get(k) {
			hits++
		} else {
			set(k)
		}
	}
	return float64(hits) / float64(len(trace))
}

// TestZipfHitRate prints each cache's hit rate and checks keel's is within 5
// points of the better of otter and ristretto.
func TestZipfHitRate(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation")
	}
	trace := zipfTrace()
	rates := map[string]float64{}
	for _, s := range simulators {
		rates[s.name] = hitRate(s, trace)
		t.Logf("%-10s hit rate %.2f%%", s.name, 100*rates[s.name])
	}
	best := max(rates["otter"], rates["ristretto"])
	if rates["keel"] < best-0.05 {
		t.Fatalf("keel hit rate %.2f%% is more than 5 points below %.2f%%", 100*rates["keel"], 100*best)
	}
}

// BenchmarkZipfHitRate runs the whole trace per iteration and reports the hit
// rate (hit%) beside the time per access.
func BenchmarkZipfHitRate(b *testing.B) {
	trace := zipfTrace()
	for _, s := range simulators {
		b.Run("impl="+s.name, func(b *testing.B) {
			var rate float64
			for i := 0; i < b.N; i++ {
				rate = hitRate(s, trace)
			}
			b.ReportMetric(100*rate, "hit%")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(trace)), "ns/access")
		})
	}
}
