package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gokeel/keel/ratelimit"
)

// FuzzComposite checks that composite keys are injective: two requests get
// the same key only when every part is the same.
func FuzzComposite(f *testing.F) {
	f.Add("a", "b", "a", "b")
	f.Add("a|b", "c", "a", "b|c")
	f.Add("1:x", "", "1", ":x")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, a1, b1, a2, b2 string) {
		key := func(a, b string) string {
			k := ratelimit.Composite(
				ratelimit.ByFunc(func(r *http.Request) (string, error) { return a, nil }),
				ratelimit.ByFunc(func(r *http.Request) (string, error) { return b, nil }),
			)
			s, err := k(httptest.NewRequest("GET", "/", nil))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		same := a1 == a2 && b1 == b2
		if (key(a1, b1) == key(a2, b2)) != same {
			t.Fatalf("Composite(%q,%q) vs (%q,%q): keys equal = %v, parts equal = %v", a1, b1, a2, b2, !same, same)
		}
	})
}

// FuzzLimit checks that no limit, however odd, panics: it is either
// rejected at construction or works.
func FuzzLimit(f *testing.F) {
	f.Add(10, int64(time.Second), 20, true, 1, int64(0))
	f.Add(0, int64(0), 0, true, 0, int64(-1))
	f.Add(1, int64(1), 1, false, 1, int64(1<<62))
	f.Add(1<<62, int64(1<<62), 1<<62, true, 1<<40, int64(1))
	f.Add(-5, int64(-time.Hour), -1, true, -3, int64(time.Hour))
	f.Fuzz(func(t *testing.T, events int, period int64, burst int, setBurst bool, n int, advance int64) {
		var opts []ratelimit.LimitOption
		if setBurst {
			opts = append(opts, ratelimit.Burst(burst))
		}
		l := ratelimit.Per(events, time.Duration(period), opts...)
		advance %= 1 << 50 // about 13 days: clocks stay within time.Time's UnixNano range
		valid := l.Validate() == nil
		clk := newFakeClock()
		for name, ctor := range memoryCtors() {
			lim, err := ctor(l, ratelimit.WithClock(clk.Now))
			if (err == nil) != valid {
				t.Fatalf("%s(%v): err = %v, Validate ok = %v", name, l, err, valid)
			}
			if err != nil {
				continue
			}
			for range 3 {
				res, err := lim.AllowN(ctx, "k", n)
				if err == nil && (res.Remaining < 0 || res.RetryAfter < 0 || res.ResetAfter < 0 || res.Delay < 0) {
					t.Fatalf("%s(%v).AllowN(%d): negative field in %+v", name, l, n, res)
				}
				clk.Advance(time.Duration(advance))
			}
		}
	})
}
