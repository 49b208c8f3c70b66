// Package ratelimittest is a conformance suite for [ratelimit.Limiter]
// implementations: every limiter of package ratelimit passes it, and a
// user's own limiter can be checked against the same contract.
//
//	func TestMyLimiter(t *testing.T) {
//		ratelimittest.Run(t, func(t *testing.T, limit ratelimit.Limit) ratelimit.Limiter {
//			return mylimiter.New(limit)
//		})
//	}
//
// The suite uses limits with long periods (a day), so it neither sleeps
// nor depends on how fast the machine is; behaviour over time is for each
// implementation's own tests, with its injectable clock.
package ratelimittest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeel/keel/ratelimit"
)

// NewFunc returns a new limiter enforcing limit, whose keys are not shared
// with any other limiter the function returned. Any cleanup goes in
// t.Cleanup.
type NewFunc func(t *testing.T, limit ratelimit.Limit) ratelimit.Limiter

// Concurrency is the number of goroutines of the exactness test.
const Concurrency = 2000

// Run runs the conformance suite against the limiters newLimiter returns.
// Subtests run in parallel.
func Run(t *testing.T, newLimiter NewFunc) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, NewFunc)
	}{
		{"BurstThenDeny", testBurstThenDeny},
		{"AllowN", testAllowN},
		{"InvalidN", testInvalidN},
		{"KeysIndependent", testKeysIndependent},
		{"UnusualKeys", testUnusualKeys},
		{"ExactUnderConcurrency", testExactUnderConcurrency},
		{"ConcurrentAllowN", testConcurrentAllowN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newLimiter)
		})
	}
}

const day = 24 * time.Hour

func allow(t *testing.T, l ratelimit.Limiter, key string, n int) ratelimit.Result {
	t.Helper()
	res, err := l.AllowN(context.Background(), key, n)
	if err != nil {
		t.Fatalf("AllowN(%q, %d): %v", key, n, err)
	}
	return res
}

func testBurstThenDeny(t *testing.T, newLimiter NewFunc) {
	const n = 5
	l := newLimiter(t, ratelimit.Per(n, day))
	for i := range n {
		res := allow(t, l, "k", 1)
		if !res.Allowed {
			t.Fatalf("event %d denied, want allowed: %+v", i+1, res)
		}
		if res.Limit != n {
			t.Errorf("event %d: Limit = %d, want %d", i+1, res.Limit, n)
		}
		if want := n - 1 - i; res.Remaining != want {
			t.Errorf("event %d: Remaining = %d, want %d", i+1, res.Remaining, want)
		}
		if res.RetryAfter != 0 {
			t.Errorf("event %d: allowed with RetryAfter %v, want 0", i+1, res.RetryAfter)
		}
		if res.ResetAfter <= 0 {
			t.Errorf("event %d: ResetAfter = %v, want > 0", i+1, res.ResetAfter)
		}
	}
	for i := range 3 {
		res := allow(t, l, "k", 1)
		if res.Allowed {
			t.Fatalf("event %d past the burst allowed: %+v", n+i+1, res)
		}
		if res.Remaining != 0 {
			t.Errorf("denied: Remaining = %d, want 0", res.Remaining)
		}
		if res.RetryAfter <= 0 || res.RetryAfter > 2*day { // a sliding window may need two
			t.Errorf("denied: RetryAfter = %v, want in (0, 48h]", res.RetryAfter)
		}
		if res.ResetAfter <= 0 {
			t.Errorf("denied: ResetAfter = %v, want > 0", res.ResetAfter)
		}
	}
}

func testAllowN(t *testing.T, newLimiter NewFunc) {
	l := newLimiter(t, ratelimit.Per(10, day))
	if res := allow(t, l, "k", 4); !res.Allowed || res.Remaining != 6 {
		t.Fatalf("AllowN(4) = %+v, want allowed with 6 remaining", res)
	}
	if res := allow(t, l, "k", 7); res.Allowed || res.Remaining != 6 {
		t.Fatalf("AllowN(7) with 6 left = %+v, want denied with 6 remaining", res)
	}
	if res := allow(t, l, "k", 6); !res.Allowed || res.Remaining != 0 {
		t.Fatalf("AllowN(6) after a denied AllowN(7) = %+v, want allowed with 0 remaining (denials consume nothing)", res)
	}
	if res := allow(t, l, "k", 1); res.Allowed {
		t.Fatalf("Allow after the quota is spent = %+v, want denied", res)
	}
}

func testInvalidN(t *testing.T, newLimiter NewFunc) {
	const n = 3
	l := newLimiter(t, ratelimit.Per(n, day))
	ctx := context.Background()
	for _, tc := range []struct {
		n    int
		want error
	}{
		{0, ratelimit.ErrInvalidN},
		{-1, ratelimit.ErrInvalidN},
		{n + 1, ratelimit.ErrExceedsLimit},
		{1 << 40, ratelimit.ErrExceedsLimit},
	} {
		if _, err := l.AllowN(ctx, "k", tc.n); !errors.Is(err, tc.want) {
			t.Errorf("AllowN(%d): err = %v, want %v", tc.n, err, tc.want)
		}
	}
	if res := allow(t, l, "k", n); !res.Allowed {
		t.Fatalf("AllowN(%d) after invalid calls = %+v, want allowed: invalid calls must consume nothing", n, res)
	}
}

func testKeysIndependent(t *testing.T, newLimiter NewFunc) {
	l := newLimiter(t, ratelimit.Per(2, day))
	allow(t, l, "a", 2)
	if res := allow(t, l, "a", 1); res.Allowed {
		t.Fatalf("key a past its limit allowed")
	}
	for _, k := range []string{"b", "A", "a ", "a\x00"} {
		if res := allow(t, l, k, 1); !res.Allowed || res.Remaining != 1 {
			t.Errorf("key %q after key a was spent = %+v, want allowed with 1 remaining", k, res)
		}
	}
}

func testUnusualKeys(t *testing.T, newLimiter NewFunc) {
	l := newLimiter(t, ratelimit.Per(1, day))
	keys := []string{"", " ", "{slot}", "a:b:c", "ключ", "\xff\xfe", strings.Repeat("x", 4096), "2001:db8::1"}
	for _, k := range keys {
		if res := allow(t, l, k, 1); !res.Allowed {
			t.Errorf("first event for key %.20q denied", k)
		}
		if res := allow(t, l, k, 1); res.Allowed {
			t.Errorf("second event for key %.20q allowed past a limit of 1", k)
		}
	}
}

// testExactUnderConcurrency: Concurrency goroutines racing on one key admit
// exactly the limit.
func testExactUnderConcurrency(t *testing.T, newLimiter NewFunc) {
	const n = 50
	l := newLimiter(t, ratelimit.Per(n, day))
	var admitted, denied atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, Concurrency)
	for range Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := l.Allow(context.Background(), "hot")
			if err != nil {
				errs <- err
				return
			}
			if res.Allowed {
				admitted.Add(1)
			} else {
				denied.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Allow: %v", err)
	}
	if got := admitted.Load(); got != n {
		t.Fatalf("%d goroutines on one key admitted %d, want exactly %d (denied %d)", Concurrency, got, n, denied.Load())
	}
}

// testConcurrentAllowN: racing AllowN calls of different sizes never admit
// more than the limit in total, and fill it exactly when sizes divide it.
func testConcurrentAllowN(t *testing.T, newLimiter NewFunc) {
	const n = 60
	l := newLimiter(t, ratelimit.Per(n, day))
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			size := 1 + i%3 // 1, 2, 3
			res, err := l.AllowN(context.Background(), "hot", size)
			if err != nil {
				t.Errorf("AllowN: %v", err)
				return
			}
			if res.Allowed {
				admitted.Add(int64(size))
			}
		}()
	}
	wg.Wait()
	got := admitted.Load()
	if got > n || got < n-2 {
		t.Fatalf("admitted %d events, want between %d and %d", got, n-2, n)
	}
	// Whatever is left must still be grantable one by one.
	for got < n {
		if res := allow(t, l, "hot", 1); !res.Allowed {
			t.Fatalf("only %d of %d events admitted, then denied", got, n)
		}
		got++
	}
	if res := allow(t, l, "hot", 1); res.Allowed {
		t.Fatalf("admitted more than %d events", n)
	}
}
