package ratelimit

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Memory is a token-bucket limiter that keeps one
// [golang.org/x/time/rate.Limiter] per key in process memory.
//
// Each key's bucket holds up to Burst tokens and refills at Events per
// Period; an event takes a token. Bursts up to Burst pass at once, then
// events are admitted at the steady rate. It is the usual choice for a
// single instance: cheap, and friendly to clients that send in bursts.
//
// The key store is bounded ([WithMaxKeys]): keys whose bucket is full again
// are dropped first (a full bucket is what a new key gets, so this never
// admits more), and past the bound the least recently active keys go.
//
// A Memory is safe for concurrent use. Create one with [NewMemory].
type Memory struct {
	memoryBase
	burst int
	rate  rate.Limit
	st    *store[rate.Limiter]
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
	l := &Memory{
		memoryBase: base,
		burst:      limit.BurstSize(),
		rate:       rate.Limit(float64(limit.Events) / limit.Period.Seconds()),
	}
	l.st = newStore(cfg.maxKeys,
		func() *rate.Limiter { return rate.NewLimiter(l.rate, l.burst) },
		func(lim *rate.Limiter, now int64) (bool, int64) {
			tok := lim.TokensAt(time.Unix(0, now))
			return tok >= float64(l.burst), int64(tok * 1e6)
		})
	return l, nil
}

// Allow is AllowN(ctx, key, 1).
func (l *Memory) Allow(ctx context.Context, key string) (Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n events for key may happen now and takes n
// tokens if so. ctx is not used: the decision never blocks.
func (l *Memory) AllowN(_ context.Context, key string, n int) (Result, error) {
	if err := checkN(n, l.burst); err != nil {
		return Result{}, err
	}
	now := l.clock()
	sh, lim := l.st.acquire(key, now.UnixNano())
	ok := lim.AllowN(now, n)
	tokens := lim.TokensAt(now)
	sh.mu.RUnlock()

	res := Result{Allowed: ok, Limit: l.burst, Remaining: max(int(tokens), 0)}
	perSec := float64(l.rate)
	res.ResetAfter = durationOf((float64(l.burst) - tokens) / perSec)
	if !ok {
		res.RetryAfter = durationOf((float64(n) - tokens) / perSec)
	}
	l.m.observe(ok)
	return res, nil
}

// Len returns the number of keys held in memory.
func (l *Memory) Len() int { return l.st.len() }
