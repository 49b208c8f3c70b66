package ratelimit

import (
	"fmt"
	"math"
	"time"
)

// Limit declares how many events are allowed: Events per Period, with up to
// Burst events at once. Build one with [PerSecond], [PerMinute], [PerHour],
// [Per] or [Every]; they read as the limit they declare:
//
//	ratelimit.PerSecond(10)                      // 10/s, bursts of 10
//	ratelimit.PerMinute(100, ratelimit.Burst(20)) // 100/min, bursts of 20
//	ratelimit.Every(time.Second)                  // 1/s, no bursts
//
// A Limit is plain data; constructors validate it and return
// [ErrInvalidLimit] for a bad one. The zero Limit is invalid.
type Limit struct {
	// Events is the number of events allowed per Period. It must be at
	// least 1.
	Events int
	// Period is the time over which Events are allowed. It must be
	// positive.
	Period time.Duration
	// Burst is the most events allowed at once (the bucket's capacity).
	// 0 means Events. The sliding window ignores it: its quota is Events
	// per Period.
	Burst int

	burstSet bool
}

// maxWindow bounds Window (about 73 years), keeping time arithmetic far
// from overflow.
const maxWindow = 1 << 61

// LimitOption refines a [Limit]; see [Burst].
type LimitOption func(*Limit)

// Burst sets the most events allowed at once. n must be at least 1; a bad
// value is reported by the constructor that receives the limit.
func Burst(n int) LimitOption {
	return func(l *Limit) { l.Burst, l.burstSet = n, true }
}

// Per returns a limit of n events per period.
func Per(n int, period time.Duration, opts ...LimitOption) Limit {
	l := Limit{Events: n, Period: period}
	for _, o := range opts {
		if o != nil {
			o(&l)
		}
	}
	return l
}

// PerSecond returns a limit of n events per second.
func PerSecond(n int, opts ...LimitOption) Limit { return Per(n, time.Second, opts...) }

// PerMinute returns a limit of n events per minute.
func PerMinute(n int, opts ...LimitOption) Limit { return Per(n, time.Minute, opts...) }

// PerHour returns a limit of n events per hour.
func PerHour(n int, opts ...LimitOption) Limit { return Per(n, time.Hour, opts...) }

// Every returns a limit of one event every d, with a burst of 1 unless
// [Burst] says otherwise.
func Every(d time.Duration, opts ...LimitOption) Limit { return Per(1, d, opts...) }

// Validate reports whether l is usable: Events at least 1, Period positive
// and at least one nanosecond per event, Burst (when set) at least 1. The
// error wraps [ErrInvalidLimit].
func (l Limit) Validate() error {
	switch {
	case l.Events < 1:
		return fmt.Errorf("%w: events per period must be at least 1, got %d", ErrInvalidLimit, l.Events)
	case l.Period <= 0:
		return fmt.Errorf("%w: period must be positive, got %v", ErrInvalidLimit, l.Period)
	case int64(l.Period) < int64(l.Events):
		return fmt.Errorf("%w: more than one event per nanosecond (%d per %v)", ErrInvalidLimit, l.Events, l.Period)
	case (l.burstSet || l.Burst != 0) && l.Burst < 1:
		return fmt.Errorf("%w: burst must be at least 1, got %d", ErrInvalidLimit, l.Burst)
	case int64(l.Interval()) > maxWindow/int64(l.BurstSize()):
		return fmt.Errorf("%w: %v: a full burst takes longer than 70 years to refill", ErrInvalidLimit, l)
	}
	return nil
}

// BurstSize returns the effective burst: Burst, or Events when Burst is 0.
func (l Limit) BurstSize() int {
	if l.Burst > 0 {
		return l.Burst
	}
	return l.Events
}

// Interval returns the time between events at the steady rate,
// Period/Events, rounded up to the nanosecond.
func (l Limit) Interval() time.Duration {
	if l.Events < 1 {
		return 0
	}
	p, e := int64(l.Period), int64(l.Events)
	iv := p / e
	if p%e != 0 {
		iv++
	}
	return time.Duration(iv)
}

// Window returns the time a full burst takes to refill: BurstSize
// intervals. It is the "w" of the RateLimit-Policy header for the bucket
// algorithms.
func (l Limit) Window() time.Duration {
	iv := int64(l.Interval())
	b := int64(l.BurstSize())
	if iv > 0 && b > math.MaxInt64/iv {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(iv * b)
}

// String returns the limit as "10/1s burst 20".
func (l Limit) String() string {
	return fmt.Sprintf("%d/%v burst %d", l.Events, l.Period, l.BurstSize())
}
