package ratelimit

import "context"

// LeakyBucket is a leaky-bucket limiter, used as a queue: admitted events
// join a queue that drains at exactly Events per Period, and the queue
// holds at most Burst events. An event that would overflow the queue is
// denied.
//
// Unlike the token bucket, it never lets a burst through at once: every
// allowed Result carries a Delay, the time until the event's turn, and
// events that wait their Delay leave evenly spaced ([Middleware] waits it
// for you). Choose it to protect a backend that needs a smooth rate;
// clients see latency instead of errors up to the queue's capacity. It
// admits the same events as a token bucket of the same rate and burst;
// what differs is when they may proceed.
//
// The key store is bounded as for [Memory]. A LeakyBucket is safe for
// concurrent use. Create one with [NewLeakyBucket].
type LeakyBucket struct {
	memoryBase
	g  gcra
	st *store[int64]
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
	g := newGCRA(limit)
	return &LeakyBucket{memoryBase: base, g: g, st: newStore(cfg.maxKeys, gcraIdle)}, nil
}

// Allow is AllowN(ctx, key, 1).
func (l *LeakyBucket) Allow(ctx context.Context, key string) (Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n events for key fit in its queue, and queues them
// if so. ctx is not used: the decision never blocks (the caller waits
// Result.Delay if it wants smooth output).
func (l *LeakyBucket) AllowN(_ context.Context, key string, n int) (Result, error) {
	if err := checkN(n, l.g.burst); err != nil {
		return Result{}, err
	}
	now := l.now()
	sh, tat := l.st.lock(key, now)
	res, delay := l.g.take(tat, now, n)
	sh.mu.Unlock()
	if res.Allowed {
		res.Delay = delay
	}
	l.m.observe(res.Allowed)
	return res, nil
}

// Len returns the number of keys held in memory.
func (l *LeakyBucket) Len() int { return l.st.len() }
