package crontest

import (
	"sort"
	"sync"
	"time"

	"github.com/gokeel/keel/cron"
)

// Clock is a fake [cron.Clock] for tests: time stands still until the test
// calls [Clock.Advance] or [Clock.Set], which run the timers that came due,
// in order, each in its own goroutine as time.AfterFunc does. It is safe for
// concurrent use; create one with [NewClock].
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
	seq    int
	notify chan struct{} // closed and replaced when the timer set changes
}

type timer struct {
	c    *Clock
	when time.Time
	seq  int
	f    func()
	done bool
}

// NewClock returns a fake clock reading start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, notify: make(chan struct{})}
}

var _ cron.Clock = (*Clock)(nil)

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arranges for f to run in its own goroutine once the clock has
// been advanced by d. A d <= 0 runs f at once.
func (c *Clock) AfterFunc(d time.Duration, f func()) cron.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		t.done = true
		go f()
		return t
	}
	c.timers = append(c.timers, t)
	c.changed()
	return t
}

// Stop implements [cron.Timer].
func (t *timer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			break
		}
	}
	c.changed()
	return true
}

func (c *Clock) changed() {
	close(c.notify)
	c.notify = make(chan struct{})
}

// Advance moves the clock forward by d and fires the timers due by then.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	now := c.now.Add(d)
	c.mu.Unlock()
	c.Set(now)
}

// Set moves the clock to t (never backwards) and fires the timers due by
// then, earliest first.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	sort.Slice(c.timers, func(i, j int) bool {
		a, b := c.timers[i], c.timers[j]
		if !a.when.Equal(b.when) {
			return a.when.Before(b.when)
		}
		return a.seq < b.seq
	})
	n := 0
	for n < len(c.timers) && !c.timers[n].when.After(c.now) {
		t := c.timers[n]
		t.done = true
		go t.f()
		n++
	}
	if n > 0 {
		c.timers = append(c.timers[:0], c.timers[n:]...)
		c.changed()
	}
}

// Timers returns the number of pending timers.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextTimer returns when the earliest pending timer fires, and false if
// none is pending.
func (c *Clock) NextTimer() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	min := c.timers[0].when
	for _, t := range c.timers[1:] {
		if t.when.Before(min) {
			min = t.when
		}
	}
	return min, true
}

// WaitFor blocks until cond, called with the clock's pending timers' fire
// times, returns true, or until timeout (real time) passes, and reports
// whether cond held. Tests use it to wait until a scheduler has armed its
// next timer, e.g. after an Advance.
func (c *Clock) WaitFor(timeout time.Duration, cond func(pending []time.Time) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		pending := make([]time.Time, len(c.timers))
		for i, t := range c.timers {
			pending[i] = t.when
		}
		ch := c.notify
		c.mu.Unlock()
		if cond(pending) {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// WaitForTimer blocks until a timer is pending that fires at when, or until
// timeout (real time), and reports whether one is.
func (c *Clock) WaitForTimer(when time.Time, timeout time.Duration) bool {
	return c.WaitFor(timeout, func(p []time.Time) bool {
		for _, t := range p {
			if t.Equal(when) {
				return true
			}
		}
		return false
	})
}
