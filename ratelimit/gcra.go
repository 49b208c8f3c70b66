package ratelimit

import "time"

// gcra is the generic cell rate algorithm: a token bucket kept as one
// number per key, the theoretical arrival time (TAT) — when the bucket
// would be full again. Admitting n events moves it n intervals later;
// events fit while it stays within burst intervals of now. The token
// bucket, the leaky bucket and the Redis script all run it.
type gcra struct {
	interval  int64 // ns per event, rounded up
	tolerance int64 // burst * interval
	burst     int
}

// newGCRA returns the GCRA of a validated limit.
func newGCRA(l Limit) gcra {
	iv, b := int64(l.Interval()), int64(l.BurstSize())
	return gcra{interval: iv, tolerance: iv * b, burst: int(b)}
}

// take decides n events at now for the key whose TAT is *tat, and updates
// it if they are allowed. delay is how long the first admitted event waits
// for its turn in the leaky bucket's queue.
func (g gcra) take(tat *int64, now int64, n int) (res Result, delay time.Duration) {
	t := max(*tat, now)
	next := t + int64(n)*g.interval
	res.Limit = g.burst
	if next-now > g.tolerance {
		// t-now exceeds the tolerance only if the clock went back.
		res.Remaining = int(max(g.tolerance-(t-now), 0) / g.interval)
		res.RetryAfter = time.Duration(next - g.tolerance - now)
		res.ResetAfter = time.Duration(t - now)
		return res, 0
	}
	*tat = next
	res.Allowed = true
	res.Remaining = int((g.tolerance - (next - now)) / g.interval)
	res.ResetAfter = time.Duration(next - now)
	return res, time.Duration(t - now)
}

// idle reports whether a TAT means a full bucket at now, and ranks
// non-idle ones: the earliest TAT is the closest to full.
func gcraIdle(tat *int64, now int64) (bool, int64) { return *tat <= now, -*tat }
