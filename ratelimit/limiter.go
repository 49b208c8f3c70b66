package ratelimit

import (
	"context"
	"time"
)

// Limiter decides whether events for a key may happen now. Every algorithm
// in this package implements it, and users may plug in their own; the suite
// in package ratelimittest checks an implementation against the contract:
//
//   - AllowN(ctx, key, n) consumes n events for key when they fit and
//     reports Allowed; when they do not fit nothing is consumed.
//   - n < 1 returns [ErrInvalidN]; n above the limit's burst (or quota)
//     returns [ErrExceedsLimit]; neither consumes anything.
//   - Keys are independent of each other.
//   - Implementations are safe for concurrent use, and concurrent callers
//     on one key are admitted exactly as a serial sequence would be.
type Limiter interface {
	// Allow is AllowN(ctx, key, 1).
	Allow(ctx context.Context, key string) (Result, error)
	// AllowN reports whether n events for key may happen now, and consumes
	// them if so.
	AllowN(ctx context.Context, key string, n int) (Result, error)
}

// Policy is implemented by limiters that can describe their limit, which
// [Middleware] uses for the RateLimit-Policy header. All limiters of this
// package implement it.
type Policy interface {
	// Limit returns the limiter's declared limit.
	Limit() Limit
}

// Result is the outcome of one decision.
type Result struct {
	// Allowed reports whether the events may happen.
	Allowed bool
	// Limit is the most events the key can have at once: the burst for the
	// bucket algorithms, the quota per window for the sliding window.
	Limit int
	// Remaining is how many more events the key could have right now.
	Remaining int
	// RetryAfter is how long until the same request would be allowed; 0
	// when Allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the key is back to its full limit if
	// nothing more happens.
	ResetAfter time.Duration
	// Delay is how long an allowed event should wait before it proceeds so
	// that admitted events leave evenly spaced. Only the leaky bucket sets
	// it; [Middleware] honours it.
	Delay time.Duration
}

// Clock returns the current time. Tests inject one with [WithClock] to
// drive limiters without sleeping.
type Clock func() time.Time
