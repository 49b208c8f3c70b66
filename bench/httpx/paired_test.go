package httpxbench

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// paired times short bursts of a and b back to back, alternating which goes
// first, and reports the median of the per-round ratios a/b. On a machine
// shared with other work, slow periods hit both sides of a round alike, so
// the median ratio is far steadier than two separate ns/op figures.
func paired(b *testing.B, a, base http.Handler) {
	reqs := requests()
	w := newDiscardWriter()
	burst := func(h http.Handler) time.Duration {
		start := time.Now()
		for i := range 2000 {
			w.reset()
			h.ServeHTTP(w, reqs[i%len(reqs)])
		}
		return time.Since(start)
	}
	burst(a) // warm up
	burst(base)
	var ratios []float64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var ta, tb time.Duration
		if i%2 == 0 {
			ta, tb = burst(a), burst(base)
		} else {
			tb, ta = burst(base), burst(a)
		}
		ratios = append(ratios, float64(ta)/float64(tb))
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkRouterPaired: keel's Router over bare ServeMux (target ≤ 1.3).
func BenchmarkRouterPaired(b *testing.B) { paired(b, newKeel(), newServeMux()) }

// BenchmarkStackPaired: keel's stack over chi's equivalent (target ≤ 1.0).
func BenchmarkStackPaired(b *testing.B) { paired(b, keelStack(), chiStack()) }
