package ratelimit_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gokeel/keel/internal/testenv"
	"github.com/gokeel/keel/ratelimit"
	"github.com/gokeel/keel/ratelimit/ratelimittest"
)

// racyLimiter checks and then counts without holding a lock across both:
// under concurrency it admits more than its limit.
type racyLimiter struct {
	mu    sync.Mutex
	limit int
	used  map[string]int
}

func (l *racyLimiter) Allow(ctx context.Context, key string) (ratelimit.Result, error) {
	return l.AllowN(ctx, key, 1)
}

func (l *racyLimiter) AllowN(_ context.Context, key string, n int) (ratelimit.Result, error) {
	if n < 1 {
		return ratelimit.Result{}, ratelimit.ErrInvalidN
	}
	if n > l.limit {
		return ratelimit.Result{}, ratelimit.ErrExceedsLimit
	}
	l.mu.Lock()
	used := l.used[key]
	l.mu.Unlock()
	res := ratelimit.Result{Limit: l.limit, Remaining: max(l.limit-used-n, 0), ResetAfter: 1}
	if used+n > l.limit {
		res.Remaining, res.RetryAfter = l.limit-used, 1
		return res, nil
	}
	runtime.Gosched() // let others check before this one counts
	l.mu.Lock()
	l.used[key] += n
	l.mu.Unlock()
	res.Allowed = true
	return res, nil
}

// TestSuiteCatchesARacyLimiter runs the conformance suite, in a child
// process, against a limiter with a check-then-act race: the suite must
// fail it, on exactness.
func TestSuiteCatchesARacyLimiter(t *testing.T) {
	t.Parallel()
	out, err := testenv.Command(t, "TestHelperRacySuite", "racy").CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed a racy limiter:\n%s", out)
	}
	if !strings.Contains(string(out), "ExactUnderConcurrency") || !strings.Contains(string(out), "want exactly") {
		t.Fatalf("the suite failed, but not on exactness:\n%s", out)
	}
}

func TestHelperRacySuite(t *testing.T) {
	if testenv.ChildArg() != "racy" {
		t.Skip("helper process")
	}
	ratelimittest.Run(t, func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
		return &racyLimiter{limit: l.BurstSize(), used: map[string]int{}}
	})
}
