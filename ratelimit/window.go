package ratelimit

import (
	"context"
	"math"
	"math/bits"
	"time"
)

// SlidingWindow is a sliding-window-counter limiter: it allows Events per
// Period, counted over a window that slides with time.
//
// Time is cut into fixed windows of one Period. A key keeps the count of
// the current window and of the previous one, and estimates the events in
// the last Period as the current count plus the previous count weighted by
// how much of the previous window the sliding window still covers. Unlike
// a fixed window, a client cannot double its quota by sending at the end of
// one window and the start of the next; unlike a log of timestamps, a key
// costs two counters. The estimate assumes the previous window's events
// were spread evenly, so it is an approximation for uneven traffic. Burst
// is ignored: the quota per window is Events.
//
// The key store is bounded as for [Memory]. A SlidingWindow is safe for
// concurrent use. Create one with [NewSlidingWindow].
type SlidingWindow struct {
	memoryBase
	quota  int64
	window int64 // ns
	st     *store[windowState]
}

// windowState is a key's counts. The zero value is fresh: window 0 is
// long past.
type windowState struct {
	win        int64 // index of the current window
	prev, curr int64
}

var (
	_ Limiter = (*SlidingWindow)(nil)
	_ Policy  = (*SlidingWindow)(nil)
)

// NewSlidingWindow returns a sliding-window limiter allowing limit.Events
// per limit.Period. It accepts the same options as [NewMemory].
func NewSlidingWindow(limit Limit, opts ...Option) (*SlidingWindow, error) {
	base, cfg, err := newMemoryBase(limit, "NewSlidingWindow", opts)
	if err != nil {
		return nil, err
	}
	l := &SlidingWindow{memoryBase: base, quota: int64(limit.Events), window: int64(limit.Period)}
	l.st = newStore(cfg.maxKeys,
		func(s *windowState, now int64) (bool, int64) {
			// Fresh once both counted windows have passed (or nothing
			// counted); otherwise the lowest estimate goes first.
			idx := now / l.window
			var est float64
			switch {
			case idx > s.win+1 || s.prev+s.curr == 0:
				return true, 0
			case idx == s.win+1:
				est = float64(s.curr) * float64(l.window-now%l.window) / float64(l.window)
			default:
				est = float64(s.prev)*float64(l.window-now%l.window)/float64(l.window) + float64(s.curr)
			}
			return false, -int64(est * 1e6)
		})
	return l, nil
}

// Allow is AllowN(ctx, key, 1).
func (l *SlidingWindow) Allow(ctx context.Context, key string) (Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n more events for key fit in the sliding window,
// and counts them if so. ctx is not used: the decision never blocks.
func (l *SlidingWindow) AllowN(_ context.Context, key string, n int) (Result, error) {
	if err := checkN(n, int(l.quota)); err != nil {
		return Result{}, err
	}
	now := l.now()
	w := l.window
	idx := now / w
	elapsed := now - idx*w

	sh, s := l.st.lock(key, now)
	if idx != s.win {
		if idx == s.win+1 {
			s.prev = s.curr
		} else if idx > s.win { // more than one window passed (or fresh)
			s.prev = 0
		}
		if idx > s.win {
			s.curr, s.win = 0, idx
		}
		// idx < s.win: the clock went back; count in the newer window.
	}
	if s.win != idx {
		elapsed = 0
	}
	prev, curr := s.prev, s.curr
	ok := fits(prev, curr+int64(n), l.quota, w, elapsed)
	if ok {
		s.curr += int64(n)
		curr = s.curr
	}
	sh.mu.Unlock()

	// Advisory figures, computed outside the locks.
	weight := float64(w-elapsed) / float64(w)
	est := float64(prev)*weight + float64(curr)
	res := Result{Allowed: ok, Limit: int(l.quota), Remaining: max(int(float64(l.quota)-est), 0)}
	switch {
	case curr > 0:
		res.ResetAfter = time.Duration(2*w - elapsed)
	case prev > 0:
		res.ResetAfter = time.Duration(w - elapsed)
	}
	if !ok {
		res.RetryAfter = l.retryAfter(prev, curr, int64(n), elapsed)
	}
	l.m.observe(ok)
	return res, nil
}

// fits reports whether prev*(w-elapsed)/w + curr <= quota, exactly, in
// 128-bit integers: prev*(w-elapsed) + curr*w <= quota*w.
func fits(prev, curr, quota, w, elapsed int64) bool {
	h1, l1 := bits.Mul64(uint64(prev), uint64(w-elapsed))
	h2, l2 := bits.Mul64(uint64(curr), uint64(w))
	lo, carry := bits.Add64(l1, l2, 0)
	hi, _ := bits.Add64(h1, h2, carry)
	qh, ql := bits.Mul64(uint64(quota), uint64(w))
	return hi < qh || (hi == qh && lo <= ql)
}

// retryAfter is when n more events would fit, if nothing else happens.
func (l *SlidingWindow) retryAfter(prev, curr, n, elapsed int64) time.Duration {
	w := float64(l.window)
	q := float64(l.quota)
	if curr+n <= l.quota && prev > 0 {
		// Wait in this window until the previous one has decayed enough:
		// prev*(w-e)/w <= q-curr-n.
		e := w - (q-float64(curr+n))*w/float64(prev)
		return time.Duration(math.Ceil(e - float64(elapsed)))
	}
	// Wait for the next window, where prev' = curr and curr' = 0.
	e := 0.0
	if curr > 0 {
		e = max(w-(q-float64(n))*w/float64(curr), 0)
	}
	return time.Duration(math.Ceil(w - float64(elapsed) + e))
}

// Len returns the number of keys held in memory.
func (l *SlidingWindow) Len() int { return l.st.len() }
