package cache

import "time"

// Clock tells the time. Tests inject a fake one with [WithClock] to drive
// TTLs, negative caching and stale-while-revalidate without sleeping.
// Implementations must be safe for concurrent use.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to [Clock].
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// nowNanos returns the time from c in Unix nanoseconds; a nil c is the
// system clock, read cheaply (see monoNow).
func nowNanos(c Clock) int64 {
	if c == nil {
		return monoNow()
	}
	return c.Now().UnixNano()
}

// monoBase anchors monoNow; it is set once and never changes.
var monoBase = time.Now()

// monoNow returns the current time in Unix nanoseconds from the monotonic
// clock (time.Since reads only it, about half the cost of time.Now on a hit
// path): wall time at start-up plus the monotonic time elapsed since. It does
// not follow steps of the wall clock, which suits TTLs.
func monoNow() int64 {
	return monoBase.UnixNano() + int64(time.Since(monoBase))
}
