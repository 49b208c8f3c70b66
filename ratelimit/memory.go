package ratelimit

import "context"

// Memory is a token-bucket limiter with per-key state in process memory.
//
// Each key's bucket holds up to Burst tokens and refills at Events per
// Period; an event takes a token. Bursts up to Burst pass at once, then
// events are admitted at the steady rate. It is the usual choice for a
// single instance: cheap, and friendly to clients that send in bursts.
//
// The bucket makes the same decisions as golang.org/x/time/rate's
// Limiter.AllowN for the same rate and burst (the tests check it against
// it), but is stored as one int64 per key, in the GCRA form (the time the
// bucket will be full again), so a key costs tens of bytes instead of the
// hundred of a rate.Limiter. The interval between events is rounded up to
// the nanosecond: never faster than declared.
//
// The key store is bounded ([WithMaxKeys]): keys whose bucket is full again
// are dropped first (a full bucket is what a new key gets, so this never
// admits more), and past the bound the keys closest to full go.
//
// A Memory is safe for concurrent use. Create one with [NewMemory].
type Memory struct {
	memoryBase
	g  gcra
	st *store[int64]
}

var (
	_ Limiter = (*Memory)(nil)
	_ Policy  = (*Memory)(nil)
)

// NewMemory returns a token-bucket limiter for limit. It accepts
// [WithClock], [WithMaxKeys], [WithName], [WithLogger] and [WithMetrics].
// A bad limit returns [ErrInvalidLimit]; a bad option [ErrInvalidOption].
func NewMemory(limit Limit, opts ...Option) (*Memory, error) {
	base, cfg, err := newMemoryBase(limit, "NewMemory", opts)
	if err != nil {
		return nil, err
	}
	g := newGCRA(limit)
	return &Memory{memoryBase: base, g: g, st: newStore(cfg.maxKeys, gcraIdle)}, nil
}

// Allow is AllowN(ctx, key, 1).
func (l *Memory) Allow(ctx context.Context, key string) (Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n events for key may happen now and takes n
// tokens if so. ctx is not used: the decision never blocks.
func (l *Memory) AllowN(_ context.Context, key string, n int) (Result, error) {
	if err := checkN(n, l.g.burst); err != nil {
		return Result{}, err
	}
	now := l.now()
	sh, tat := l.st.lock(key, now)
	res, _ := l.g.take(tat, now, n)
	sh.mu.Unlock()
	l.m.observe(res.Allowed)
	return res, nil
}

// Len returns the number of keys held in memory.
func (l *Memory) Len() int { return l.st.len() }
