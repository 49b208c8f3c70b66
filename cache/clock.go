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
// system clock.
func nowNanos(c Clock) int64 {
	if c == nil {
		return time.Now().UnixNano()
	}
	return c.Now().UnixNano()
}
