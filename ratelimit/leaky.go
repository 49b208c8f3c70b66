package ratelimit

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// LeakyBucket is a leaky-bucket limiter, used as a queue: admitted events
// join a queue that drains at exactly Events per Period, and the queue
// holds at most Burst events. An event that would overflow the queue is
// denied.
//
// Unlike the token bucket, it never lets a burst through at once: every
// allowed Result carries a Delay, the time until the event's turn, and
// events that wait their Delay leave evenly spaced ([Middleware] waits it
// for you). Choose it to protect a backend that needs a smooth rate;
// clients see latency instead of errors up to the queue's capacity. Its
// per-key state is one integer, updated without locks.
//
// The key store is bounded as for [Memory]. A LeakyBucket is safe for
// concurrent use. Create one with [NewLeakyBucket].
type LeakyBucket struct {
	memoryBase
	capacity int64 // queue capacity in events
	interval int64 // ns between departures
	st       *store[atomic.Int64]
}

var (
	_ Limiter = (*LeakyBucket)(nil)
	_ Policy  = (*LeakyBucket)(nil)
)

// NewLeakyBucket returns a leaky-bucket limiter draining at limit's rate
// with a queue of limit's burst. It accepts the same options as
// [NewMemory].
func NewLeakyBucket(limit Limit, opts ...Option) (*LeakyBucket, error) {
	base, cfg, err := newMemoryBase(limit, "NewLeakyBucket", opts)
	if err != nil {
		return nil, err
	}
	l := &LeakyBucket{
		memoryBase: base,
		capacity:   int64(limit.BurstSize()),
		interval:   int64(limit.Interval()),
	}
	if l.interval > math.MaxInt64/l.capacity/4 { // keep tat+cost far from overflow
		return nil, badLimit(limit, "period too long for the burst")
	}
	l.st = newStore(cfg.maxKeys,
		func() *atomic.Int64 { return new(atomic.Int64) },
		func(v *atomic.Int64, now int64) (bool, int64) {
			// The queue is empty at tat: the state is then fresh.
			tat := v.Load()
			return tat <= now, -tat
		})
	return l, nil
}

// Allow is AllowN(ctx, key, 1).
func (l *LeakyBucket) Allow(ctx context.Context, key string) (Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n events for key fit in its queue, and queues them
// if so. ctx is not used: the decision never blocks (the caller waits
// Result.Delay if it wants smooth output).
func (l *LeakyBucket) AllowN(_ context.Context, key string, n int) (Result, error) {
	if err := checkN(n, int(l.capacity)); err != nil {
		return Result{}, err
	}
	now := l.clock().UnixNano()
	limit := l.capacity * l.interval
	cost := int64(n) * l.interval
	res := Result{Limit: int(l.capacity)}

	sh, st := l.st.acquire(key, now)
	for {
		old := st.Load()
		tat := max(old, now)
		next := tat + cost
		if next-now > limit {
			res.Remaining = int(max(limit-(tat-now), 0) / l.interval) // tat-now > limit if the clock went back
			res.RetryAfter = time.Duration(next - limit - now)
			res.ResetAfter = time.Duration(tat - now)
			break
		}
		if st.CompareAndSwap(old, next) {
			res.Allowed = true
			res.Remaining = int((limit - (next - now)) / l.interval)
			res.ResetAfter = time.Duration(next - now)
			res.Delay = time.Duration(tat - now)
			break
		}
	}
	sh.mu.RUnlock()
	l.m.observe(res.Allowed)
	return res, nil
}

// Len returns the number of keys held in memory.
func (l *LeakyBucket) Len() int { return l.st.len() }
