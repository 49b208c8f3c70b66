package crontest_test

import (
	"testing"
	"time"

	"github.com/gokeel/keel/cron/crontest"
)

func TestClockFiresDueTimersInOrder(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := crontest.NewClock(start)
	got := make(chan int, 3)
	c.AfterFunc(2*time.Second, func() { got <- 2 })
	stopped := c.AfterFunc(time.Second, func() { got <- 99 })
	c.AfterFunc(3*time.Second, func() { got <- 3 })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once")
	}
	if c.Timers() != 2 {
		t.Fatalf("Timers = %d", c.Timers())
	}
	if next, ok := c.NextTimer(); !ok || !next.Equal(start.Add(2*time.Second)) {
		t.Fatalf("NextTimer = %v %v", next, ok)
	}
	c.Advance(2 * time.Second)
	if v := <-got; v != 2 {
		t.Fatalf("fired %d", v)
	}
	select {
	case v := <-got:
		t.Fatalf("fired %d early", v)
	default:
	}
	c.Set(start) // never backwards
	if !c.Now().Equal(start.Add(2 * time.Second)) {
		t.Fatalf("Now = %v", c.Now())
	}
	c.Advance(time.Hour)
	if v := <-got; v != 3 {
		t.Fatalf("fired %d", v)
	}
	if !c.WaitFor(time.Second, func(p []time.Time) bool { return len(p) == 0 }) {
		t.Fatal("WaitFor")
	}
}
