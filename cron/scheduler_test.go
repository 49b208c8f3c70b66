package cron_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/cron/crontest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const wait = 10 * time.Second // real-time bound on waiting for a goroutine

// harness runs a Scheduler on a fake clock and collects its events.
type harness struct {
	t      *testing.T
	s      *cron.Scheduler
	clk    *crontest.Clock
	events chan cron.Event
	cancel context.CancelFunc
	done   chan error
}

func newHarness(t *testing.T, start time.Time, opts ...cron.Option) *harness {
	t.Helper()
	h := &harness{t: t, clk: crontest.NewClock(start), events: make(chan cron.Event, 1000)}
	opts = append([]cron.Option{
		cron.WithClock(h.clk), cron.WithLocation(time.UTC),
		cron.WithHook(func(e cron.Event) { h.events <- e }),
	}, opts...)
	s, err := cron.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	h.s = s
	return h
}

// run starts Run; the test's cleanup stops it.
func (h *harness) run() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.s.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(wait):
			h.t.Error("Run did not return")
		}
	})
}

// stop cancels Run and returns its error.
func (h *harness) stop() error {
	h.t.Helper()
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
		return err
	case <-time.After(wait):
		h.t.Fatal("Run did not return")
		return nil
	}
}

// fireAt waits until the scheduler armed a timer for at, then moves the
// clock there.
func (h *harness) fireAt(at time.Time) {
	h.t.Helper()
	if !h.clk.WaitForTimer(at, wait) {
		next, _ := h.clk.NextTimer()
		h.t.Fatalf("no timer armed for %v (next: %v)", at, next)
	}
	h.clk.Set(at)
}

// next returns the next event.
func (h *harness) next() cron.Event {
	h.t.Helper()
	select {
	case e := <-h.events:
		return e
	case <-time.After(wait):
		h.t.Fatal("no event")
		return cron.Event{}
	}
}

// expect returns the next event and checks its kind, job and fire time.
func (h *harness) expect(kind cron.EventKind, job string, fire time.Time) cron.Event {
	h.t.Helper()
	e := h.next()
	if e.Kind != kind || e.Job != job || !e.Fire.Equal(fire) {
		h.t.Fatalf("event = %v %s %v (%s, %v); want %v %s %v", e.Kind, e.Job, e.Fire, e.Reason, e.Err, kind, job, fire)
	}
	return e
}

func (h *harness) quiet() {
	h.t.Helper()
	select {
	case e := <-h.events:
		h.t.Fatalf("unexpected event %v %s %v %s", e.Kind, e.Job, e.Fire, e.Reason)
	default:
	}
}

func TestRunsOnSchedule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	var mu sync.Mutex
	var fires []time.Time
	if err := h.s.Add("tick", "*/10 * * * *", func(ctx context.Context) error {
		mu.Lock()
		fires = append(fires, time.Now())
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.run()
	for i := 1; i <= 3; i++ {
		at := t0.Add(time.Duration(i) * 10 * time.Minute)
		h.fireAt(at)
		h.expect(cron.EventStart, "tick", at)
		if e := h.expect(cron.EventFinish, "tick", at); e.Err != nil {
			t.Fatal(e.Err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fires) != 3 {
		t.Fatalf("%d runs, want 3", len(fires))
	}
}

func TestOverlapPolicies(t *testing.T) {
	t.Parallel()
	t1, t2, t3 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)
	t.Run("skip", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		h := newHarness(t, t0, cron.WithMetrics(reg))
		release := make(chan struct{})
		mustAdd(t, h.s, "job", "* * * * *", func(ctx context.Context) error { <-release; return nil })
		h.run()
		h.fireAt(t1)
		h.expect(cron.EventStart, "job", t1)
		h.fireAt(t2)
		if e := h.expect(cron.EventSkip, "job", t2); e.Reason != cron.ReasonOverlap {
			t.Fatalf("reason = %q", e.Reason)
		}
		if n := testutil.ToFloat64(metric(t, reg, "keel_cron_skips_total", "job", "job", "reason", "overlap")); n != 1 {
			t.Fatalf("overlap skips = %v, want 1", n)
		}
		close(release)
		h.expect(cron.EventFinish, "job", t1)
		h.fireAt(t3)
		h.expect(cron.EventStart, "job", t3)
		h.expect(cron.EventFinish, "job", t3)
	})
	t.Run("allow", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, t0)
		release := make(chan struct{})
		mustAdd(t, h.s, "job", "* * * * *", func(ctx context.Context) error { <-release; return nil }, cron.WithOverlap(cron.OverlapAllow))
		h.run()
		h.fireAt(t1)
		h.expect(cron.EventStart, "job", t1)
		h.fireAt(t2)
		h.expect(cron.EventStart, "job", t2)
		if n := h.s.Entries()[0].Running; n != 2 {
			t.Fatalf("Running = %d, want 2", n)
		}
		close(release)
		h.next()
		h.next()
	})
	t.Run("queue", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, t0)
		release := make(chan struct{}, 10)
		mustAdd(t, h.s, "job", "* * * * *", func(ctx context.Context) error { <-release; return nil }, cron.WithOverlap(cron.OverlapQueue))
		h.run()
		h.fireAt(t1)
		h.expect(cron.EventStart, "job", t1)
		h.fireAt(t2) // queued behind t1
		h.fireAt(t3) // replaces t2 in the queue: at most one waits
		h.expect(cron.EventSkip, "job", t2)
		h.quiet()
		release <- struct{}{}
		h.expect(cron.EventFinish, "job", t1)
		h.expect(cron.EventStart, "job", t3)
		release <- struct{}{}
		h.expect(cron.EventFinish, "job", t3)
	})
}

func TestPanicIsRecoveredLoggedAndCounted(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.DebugLevel)
	reg := prometheus.NewRegistry()
	h := newHarness(t, t0, cron.WithLogger(zap.New(core)), cron.WithMetrics(reg))
	calls := 0
	mustAdd(t, h.s, "boom", "* * * * *", func(ctx context.Context) error {
		calls++
		if calls == 1 {
			panic("kaboom")
		}
		return nil
	})
	h.run()
	t1 := t0.Add(time.Minute)
	h.fireAt(t1)
	h.expect(cron.EventStart, "boom", t1)
	e := h.expect(cron.EventFinish, "boom", t1)
	if !errors.Is(e.Err, cron.ErrPanic) || !strings.Contains(e.Err.Error(), "kaboom") {
		t.Fatalf("err = %v, want ErrPanic with the value", e.Err)
	}
	entries := logs.FilterMessage("cron: job panicked").All()
	if len(entries) != 1 {
		t.Fatalf("%d panic logs, want 1", len(entries))
	}
	stack, _ := entries[0].ContextMap()["stack"].(string)
	if !strings.Contains(stack, "scheduler_test.go") {
		t.Fatalf("stack not logged: %q", stack)
	}
	if n := testutil.ToFloat64(h.metricRuns(reg, "boom", "panic")); n != 1 {
		t.Fatalf("panic runs = %v, want 1", n)
	}
	// The scheduler keeps going.
	t2 := t0.Add(2 * time.Minute)
	h.fireAt(t2)
	h.expect(cron.EventStart, "boom", t2)
	if e := h.expect(cron.EventFinish, "boom", t2); e.Err != nil {
		t.Fatal(e.Err)
	}
	if n := testutil.ToFloat64(h.metricRuns(reg, "boom", "success")); n != 1 {
		t.Fatalf("success runs = %v, want 1", n)
	}
}

func (h *harness) metricRuns(reg *prometheus.Registry, job, result string) prometheus.Collector {
	h.t.Helper()
	return metric(h.t, reg, "keel_cron_runs_total", "job", job, "result", result)
}

// metric returns a collector reporting the value of the named counter
// series in reg (0 when absent).
func metric(t *testing.T, reg *prometheus.Registry, name string, labelPairs ...string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	v := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labelPairs); i += 2 {
				if labels[labelPairs[i]] != labelPairs[i+1] {
					continue series
				}
			}
			v = m.GetCounter().GetValue()
		}
	}
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "x"}, func() float64 { return v })
}

func TestTimeoutCancelsJob(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	h := newHarness(t, t0, cron.WithMetrics(reg))
	cause := make(chan error, 1)
	mustAdd(t, h.s, "slow", "0 * * * *", func(ctx context.Context) error {
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return ctx.Err()
	}, cron.WithTimeout(30*time.Second))
	h.run()
	t1 := t0.Add(time.Hour)
	h.fireAt(t1)
	h.expect(cron.EventStart, "slow", t1)
	h.fireAt(t1.Add(30 * time.Second))
	if c := <-cause; !errors.Is(c, cron.ErrTimeout) {
		t.Fatalf("cause = %v, want ErrTimeout", c)
	}
	e := h.expect(cron.EventFinish, "slow", t1)
	if !errors.Is(e.Err, context.Canceled) || e.Duration != 30*time.Second {
		t.Fatalf("finish = %v after %v", e.Err, e.Duration)
	}
	if n := testutil.ToFloat64(h.metricRuns(reg, "slow", "timeout")); n != 1 {
		t.Fatalf("timeout runs = %v", n)
	}
}

func TestShutdownCancelsAndWaits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	cause := make(chan error, 1)
	mustAdd(t, h.s, "job", "* * * * *", func(ctx context.Context) error {
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return nil
	})
	h.run()
	t1 := t0.Add(time.Minute)
	h.fireAt(t1)
	h.expect(cron.EventStart, "job", t1)
	if err := h.stop(); err != nil {
		t.Fatalf("Run = %v, want nil after a clean stop", err)
	}
	if c := <-cause; !errors.Is(c, cron.ErrShutdown) {
		t.Fatalf("cause = %v, want ErrShutdown", c)
	}
	h.expect(cron.EventFinish, "job", t1)
	// Nothing is scheduled after Run returned.
	h.clk.Advance(time.Hour)
	h.quiet()
}

func TestShutdownTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0, cron.WithShutdownTimeout(5*time.Second))
	release := make(chan struct{})
	defer close(release)
	mustAdd(t, h.s, "stubborn", "* * * * *", func(ctx context.Context) error { <-release; return nil })
	h.run()
	t1 := t0.Add(time.Minute)
	h.fireAt(t1)
	h.expect(cron.EventStart, "stubborn", t1)
	h.cancel()
	// Run waits for the job until the shutdown timeout, on the fake clock.
	h.fireAt(t1.Add(5 * time.Second))
	select {
	case err := <-h.done:
		h.done <- err
		if !errors.Is(err, cron.ErrShutdownTimeout) {
			t.Fatalf("Run = %v, want ErrShutdownTimeout", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after the shutdown timeout")
	}
}

func TestMisfire(t *testing.T) {
	t.Parallel()
	now := t0.Add(35 * time.Minute) // 00:35; the job last ran at 23:00 the day before
	last := t0.Add(-time.Hour)
	t.Run("run once", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, now)
		mustAdd(t, h.s, "job", "*/10 * * * *", okJob, cron.WithLastRun(last))
		h.run()
		// Missed 23:10 ... 00:30: one run, for the latest.
		h.expect(cron.EventStart, "job", t0.Add(30*time.Minute))
		h.expect(cron.EventFinish, "job", t0.Add(30*time.Minute))
		h.fireAt(t0.Add(40 * time.Minute))
		h.expect(cron.EventStart, "job", t0.Add(40*time.Minute))
	})
	t.Run("skip", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, now)
		mustAdd(t, h.s, "job", "*/10 * * * *", okJob, cron.WithLastRun(last), cron.WithMisfire(cron.MisfireSkip))
		h.run()
		if e := h.expect(cron.EventSkip, "job", t0.Add(30*time.Minute)); e.Reason != cron.ReasonMisfire {
			t.Fatalf("reason %q", e.Reason)
		}
		h.fireAt(t0.Add(40 * time.Minute))
		h.expect(cron.EventStart, "job", t0.Add(40*time.Minute))
	})
}

func TestJitterDelaysStartButNotFireTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	started := make(chan time.Time, 1)
	mustAdd(t, h.s, "j", "0 * * * *", func(ctx context.Context) error { started <- h.clk.Now(); return nil }, cron.WithJitter(time.Minute))
	h.run()
	fire := t0.Add(time.Hour)
	var due time.Time
	if !h.clk.WaitFor(wait, func(p []time.Time) bool {
		for _, x := range p {
			if !x.Before(fire) && x.Before(fire.Add(time.Minute)) {
				due = x
				return true
			}
		}
		return false
	}) {
		t.Fatal("no timer within the jitter window")
	}
	h.clk.Set(due)
	h.expect(cron.EventStart, "j", fire) // the tick keeps its scheduled time
	if at := <-started; !at.Equal(due) {
		t.Fatalf("started at %v, want %v", at, due)
	}
}

func TestAddRemoveEntries(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	mustAdd(t, h.s, "b", "0 * * * *", okJob)
	mustAdd(t, h.s, "a", "*/30 * * * *", okJob)
	sched, _ := cron.Parse("@every 1m")
	if err := h.s.AddSchedule("c", sched, okJob); err != nil {
		t.Fatal(err)
	}
	got := h.s.Entries()
	if len(got) != 3 || got[0].Name != "c" || got[1].Name != "a" || got[2].Name != "b" {
		t.Fatalf("Entries = %+v", got)
	}
	if !got[1].Next.Equal(t0.Add(30*time.Minute)) || got[1].Spec != "*/30 * * * *" {
		t.Fatalf("entry a = %+v", got[1])
	}
	for _, c := range []struct {
		name, spec string
		job        cron.Job
		opts       []cron.JobOption
		want       error
	}{
		{"a", "* * * * *", okJob, nil, cron.ErrDuplicateJob},
		{"", "* * * * *", okJob, nil, cron.ErrInvalidJob},
		{"x", "* * * * *", nil, nil, cron.ErrInvalidJob},
		{"x", "* * * *", okJob, nil, cron.ErrSyntax},
		{"x", "0 0 30 2 *", okJob, nil, cron.ErrNeverFires},
		{"x", "* * * * *", okJob, []cron.JobOption{cron.WithTimeout(0)}, cron.ErrInvalidJob},
		{"x", "* * * * *", okJob, []cron.JobOption{cron.WithJitter(-1)}, cron.ErrInvalidJob},
		{"x", "* * * * *", okJob, []cron.JobOption{cron.WithOverlap(9)}, cron.ErrInvalidJob},
		{"x", "* * * * *", okJob, []cron.JobOption{cron.WithMisfire(9)}, cron.ErrInvalidJob},
	} {
		if err := h.s.Add(c.name, c.spec, c.job, c.opts...); !errors.Is(err, c.want) {
			t.Errorf("Add(%q, %q) = %v, want %v", c.name, c.spec, err, c.want)
		}
	}
	h.run()
	if !h.s.Remove("c") || h.s.Remove("c") {
		t.Fatal("Remove reported wrongly")
	}
	// With c gone, the first fire is a's at 00:30.
	h.fireAt(t0.Add(30 * time.Minute))
	h.expect(cron.EventStart, "a", t0.Add(30*time.Minute))
	h.expect(cron.EventFinish, "a", t0.Add(30*time.Minute))
	// Added while running: picked up at once.
	mustAdd(t, h.s, "d", "40 * * * *", okJob)
	h.fireAt(t0.Add(40 * time.Minute))
	h.expect(cron.EventStart, "d", t0.Add(40*time.Minute))
}

func TestRunTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	mustAdd(t, h.s, "j", "* * * * *", okJob)
	h.run()
	h.fireAt(t0.Add(time.Minute)) // Run is certainly running now
	h.expect(cron.EventStart, "j", t0.Add(time.Minute))
	if err := h.s.Run(context.Background()); !errors.Is(err, cron.ErrRunning) {
		t.Fatalf("second Run = %v, want ErrRunning", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for i, o := range []cron.Option{
		cron.WithLocker(nil), cron.WithClock(nil), cron.WithLogger(nil), cron.WithMetrics(nil),
		cron.WithShutdownTimeout(0), cron.WithLeaseTTL(time.Millisecond), cron.WithLeaseRetention(0),
		cron.WithHook(nil), cron.WithLocation(nil), nil,
	} {
		if _, err := cron.New(o); !errors.Is(err, cron.ErrInvalidOption) {
			t.Errorf("option %d: New = %v, want ErrInvalidOption", i, err)
		}
	}
}

// Two schedulers sharing a Locker run each tick once between them.
func TestSharedLockerRunsTickOnce(t *testing.T) {
	t.Parallel()
	clk := crontest.NewClock(t0)
	locker := cron.NewLocalLocker(clk)
	events := make(chan cron.Event, 100)
	reg := prometheus.NewRegistry() // shared: the two schedulers share the series
	var runs sync.Map
	for i := 0; i < 2; i++ {
		s, err := cron.New(cron.WithClock(clk), cron.WithLocker(locker), cron.WithLocation(time.UTC),
			cron.WithHook(func(e cron.Event) { events <- e }), cron.WithMetrics(reg))
		if err != nil {
			t.Fatal(err)
		}
		mustAdd(t, s, "shared", "* * * * *", func(ctx context.Context) error {
			if _, dup := runs.LoadOrStore(clk.Now(), true); dup {
				t.Error("tick ran twice")
			}
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = s.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	for i := 1; i <= 5; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		if !clk.WaitFor(wait, func(p []time.Time) bool { return count(p, at) == 2 }) {
			t.Fatal("schedulers did not arm their timers")
		}
		clk.Set(at)
		kinds := map[cron.EventKind]int{}
		for j := 0; j < 3; j++ { // start + finish on one, skip on the other
			e := <-events
			kinds[e.Kind]++
			if e.Kind == cron.EventSkip && e.Reason != cron.ReasonLockHeld {
				t.Fatalf("skip reason %q", e.Reason)
			}
		}
		if kinds[cron.EventStart] != 1 || kinds[cron.EventSkip] != 1 {
			t.Fatalf("tick %d: events %v", i, kinds)
		}
	}
	if n := testutil.ToFloat64(metric(t, reg, "keel_cron_skips_total", "job", "shared", "reason", "lock_held")); n != 5 {
		t.Fatalf("lock misses = %v, want 5", n)
	}
	if n := testutil.ToFloat64(metric(t, reg, "keel_cron_runs_total", "job", "shared", "result", "success")); n != 5 {
		t.Fatalf("runs = %v, want 5", n)
	}
}

func count(p []time.Time, at time.Time) int {
	n := 0
	for _, x := range p {
		if x.Equal(at) {
			n++
		}
	}
	return n
}

// failingLocker fails every Acquire, or hands out leases that are lost.
type failingLocker struct {
	acquireErr error
}

func (f failingLocker) Acquire(ctx context.Context, key string, ttl time.Duration) (cron.Lease, error) {
	if f.acquireErr != nil {
		return nil, f.acquireErr
	}
	return lostLease{}, nil
}

type lostLease struct{}

func (lostLease) Extend(context.Context, time.Duration) error  { return cron.ErrLockLost }
func (lostLease) Release(context.Context, time.Duration) error { return cron.ErrLockLost }

func TestLockerFailures(t *testing.T) {
	t.Parallel()
	t.Run("acquire error skips the tick", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, t0, cron.WithLocker(failingLocker{acquireErr: errors.New("redis down")}))
		mustAdd(t, h.s, "j", "* * * * *", func(ctx context.Context) error { t.Error("ran without a lease"); return nil })
		h.run()
		h.fireAt(t0.Add(time.Minute))
		if e := h.expect(cron.EventSkip, "j", t0.Add(time.Minute)); e.Reason != cron.ReasonLockError || e.Err == nil {
			t.Fatalf("skip = %q %v", e.Reason, e.Err)
		}
	})
	t.Run("lost lease cancels the run", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, t0, cron.WithLocker(failingLocker{}), cron.WithLeaseTTL(30*time.Second))
		cause := make(chan error, 1)
		mustAdd(t, h.s, "j", "* * * * *", func(ctx context.Context) error {
			<-ctx.Done()
			cause <- context.Cause(ctx)
			return nil
		})
		h.run()
		h.fireAt(t0.Add(time.Minute))
		h.expect(cron.EventStart, "j", t0.Add(time.Minute))
		h.fireAt(t0.Add(time.Minute + 10*time.Second)) // first extension, at TTL/3
		if c := <-cause; !errors.Is(c, cron.ErrLockLost) {
			t.Fatalf("cause = %v", c)
		}
	})
}

func mustAdd(t *testing.T, s *cron.Scheduler, name, spec string, job cron.Job, opts ...cron.JobOption) {
	t.Helper()
	if err := s.Add(name, spec, job, opts...); err != nil {
		t.Fatal(err)
	}
}

func okJob(context.Context) error { return nil }

// stuck is a broken Schedule whose Next does not move forward.
type stuck struct{ at time.Time }

func (s stuck) Next(time.Time) time.Time { return s.at }
func (s stuck) Prev(time.Time) time.Time { return s.at }

func TestBrokenScheduleDoesNotSpin(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	at := t0.Add(time.Minute)
	if err := h.s.AddSchedule("stuck", stuck{at}, okJob); err != nil {
		t.Fatal(err)
	}
	h.run()
	h.fireAt(at)
	h.expect(cron.EventStart, "stuck", at)
	h.expect(cron.EventFinish, "stuck", at)
	if e := h.s.Entries()[0]; !e.Next.IsZero() {
		t.Fatalf("Next = %v, want zero (unscheduled)", e.Next)
	}
}

func TestShutdownDropsQueuedRun(t *testing.T) {
	t.Parallel()
	// A lease longer than the clock's jumps, or the run would lose it.
	h := newHarness(t, t0, cron.WithLeaseTTL(time.Hour))
	mustAdd(t, h.s, "q", "* * * * *", func(ctx context.Context) error { <-ctx.Done(); return nil },
		cron.WithOverlap(cron.OverlapQueue))
	h.run()
	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)
	h.fireAt(t1)
	h.expect(cron.EventStart, "q", t1)
	h.fireAt(t2) // queued behind the running t1
	if !h.clk.WaitForTimer(t0.Add(3*time.Minute), wait) {
		t.Fatal("t2 not handled")
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	h.expect(cron.EventFinish, "q", t1)
	if e := h.expect(cron.EventSkip, "q", t2); e.Reason != cron.ReasonShutdown {
		t.Fatalf("reason %q, want shutdown", e.Reason)
	}
}

// Many idle jobs cost one pending timer, not one each.
func TestIdleJobsShareOneTimer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t0)
	for i := 0; i < 1000; i++ {
		mustAdd(t, h.s, "job-"+strconv.Itoa(i), strconv.Itoa(i%60)+" "+strconv.Itoa(i%24)+" * * *", okJob)
	}
	h.run()
	first := h.s.Entries()[0].Next
	if !h.clk.WaitForTimer(first, wait) {
		t.Fatalf("no timer for the first due job at %v", first)
	}
	if n := h.clk.Timers(); n != 1 {
		t.Fatalf("%d timers pending, want 1", n)
	}
}
