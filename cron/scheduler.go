package cron

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Job is the work a [Scheduler] runs. Its context is cancelled when the job's
// timeout passes (cause [ErrTimeout]), when the scheduler shuts down (cause
// [ErrShutdown]) or when its lease is lost (cause [ErrLockLost]).
type Job func(ctx context.Context) error

// misfireGrace is how late a fire time may be reached and still count as
// on time.
const misfireGrace = time.Second

// Scheduler runs jobs on their schedules. Jobs may be added and removed
// before and while [Scheduler.Run] runs. Fire times live in a heap, so each
// fire costs O(log n) and idle jobs cost nothing. A Scheduler is safe for
// concurrent use; create one with [New].
type Scheduler struct {
	cfg     config
	metrics *metrics

	mu       sync.Mutex
	entries  map[string]*entry
	heap     entryHeap
	running  bool
	stopping bool
	jobsCtx  context.Context
	wg       sync.WaitGroup
	wake     chan struct{}
}

// entry is one scheduled job. Fields after mu-guarded comment are guarded
// by Scheduler.mu.
type entry struct {
	name  string
	spec  string
	sched Schedule
	job   Job
	opts  jobConfig

	next    time.Time // scheduled fire time
	due     time.Time // next plus jitter
	index   int       // in the heap; -1 when not there
	last    time.Time // last fire time dispatched
	running int
	queued  bool
	qFire   time.Time
	removed bool
}

// Entry describes a scheduled job; see [Scheduler.Entries].
type Entry struct {
	// Name is the job's name.
	Name string
	// Spec is the expression the job was added with ("" for AddSchedule).
	Spec string
	// Schedule is the job's schedule.
	Schedule Schedule
	// Next is the next scheduled fire time (zero if none is left).
	Next time.Time
	// Last is the last fire time this scheduler dispatched (zero if none).
	Last time.Time
	// Running is the number of runs going on now.
	Running int
}

// New returns a Scheduler. Without options it runs every job in this
// process, in time.Local, with an in-memory [LocalLocker], a no-op logger and
// no metrics. A bad option returns an error wrapping [ErrInvalidOption].
func New(opts ...Option) (*Scheduler, error) {
	cfg := config{
		loc:             time.Local,
		clock:           SystemClock(),
		log:             zap.NewNop(),
		shutdownTimeout: 30 * time.Second,
		leaseTTL:        30 * time.Second,
		retention:       time.Minute,
	}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.locker == nil {
		cfg.locker = NewLocalLocker(cfg.clock)
	}
	m, err := newMetrics(cfg.reg)
	if err != nil {
		return nil, fmt.Errorf("cron: register metrics: %w", err)
	}
	return &Scheduler{
		cfg:     cfg,
		metrics: m,
		entries: make(map[string]*entry),
		wake:    make(chan struct{}, 1),
	}, nil
}

// Add parses spec (see [Parse]; the scheduler's [WithLocation] is the
// default zone) and schedules job under name. It returns an error wrapping
// [ErrDuplicateJob] if name is taken, [ErrInvalidJob] for an empty name, a
// nil job or a bad option, or the parse error.
func (s *Scheduler) Add(name, spec string, job Job, opts ...JobOption) error {
	sched, err := parse(spec, s.cfg.loc)
	if err != nil {
		return err
	}
	return s.add(name, spec, sched, job, opts)
}

// AddSchedule is like [Scheduler.Add] with a ready Schedule, such as one
// from [Parse] or a user type.
func (s *Scheduler) AddSchedule(name string, sched Schedule, job Job, opts ...JobOption) error {
	if sched == nil {
		return fmt.Errorf("%w: nil schedule", ErrInvalidJob)
	}
	return s.add(name, "", sched, job, opts)
}

func (s *Scheduler) add(name, spec string, sched Schedule, job Job, opts []JobOption) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: empty name", ErrInvalidJob)
	}
	if job == nil {
		return fmt.Errorf("%w: %q: nil job", ErrInvalidJob, name)
	}
	var jc jobConfig
	for _, o := range opts {
		if o == nil {
			return fmt.Errorf("%w: %q: nil option", ErrInvalidJob, name)
		}
		if err := o(&jc); err != nil {
			return fmt.Errorf("%w (job %q)", err, name)
		}
	}
	e := &entry{name: name, spec: spec, sched: sched, job: job, opts: jc, index: -1}
	from := s.cfg.clock.Now()
	if !jc.lastRun.IsZero() {
		from = jc.lastRun
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateJob, name)
	}
	s.entries[name] = e
	s.schedule(e, sched.Next(from))
	s.poke()
	return nil
}

// schedule sets e's next fire time and places it in the heap (or takes it
// out when there is none). Callers hold s.mu.
func (s *Scheduler) schedule(e *entry, next time.Time) {
	e.next = next
	e.due = next
	if e.opts.jitter > 0 && !next.IsZero() {
		e.due = next.Add(rand.N(e.opts.jitter))
	}
	switch {
	case next.IsZero() && e.index >= 0:
		s.heap.remove(e.index)
	case next.IsZero():
	case e.index >= 0:
		s.heap.fix(e.index)
	default:
		s.heap.push(e)
	}
}

// Remove unschedules the job called name and reports whether there was one.
// A run already going is not interrupted.
func (s *Scheduler) Remove(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[name]
	if !ok {
		return false
	}
	delete(s.entries, name)
	e.removed = true
	if e.index >= 0 {
		s.heap.remove(e.index)
	}
	s.poke()
	return true
}

// Entries lists the scheduled jobs by next fire time (jobs with none last),
// then name.
func (s *Scheduler) Entries() []Entry {
	s.mu.Lock()
	out := make([]Entry, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, Entry{Name: e.name, Spec: e.spec, Schedule: e.sched, Next: e.next, Last: e.last, Running: e.running})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int {
		switch {
		case a.Next.IsZero() != b.Next.IsZero():
			if a.Next.IsZero() {
				return 1
			}
			return -1
		case !a.Next.Equal(b.Next):
			return a.Next.Compare(b.Next)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// poke wakes the Run loop. It never blocks.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run runs jobs until ctx is done, then stops scheduling, cancels the
// contexts of running jobs (cause [ErrShutdown]) and waits for them up to the
// shutdown timeout. It returns nil after a clean stop, an error wrapping
// [ErrShutdownTimeout] if jobs were still running, or [ErrRunning] if Run is
// already running. A Scheduler may be run again after Run returns.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return ErrRunning
	}
	jobsCtx, cancelJobs := context.WithCancelCause(context.WithoutCancel(ctx))
	s.running, s.stopping, s.jobsCtx = true, false, jobsCtx
	s.mu.Unlock()
	defer cancelJobs(nil)

	var timer Timer
	for {
		s.mu.Lock()
		now := s.cfg.clock.Now()
		for len(s.heap) > 0 && !s.heap[0].due.After(now) {
			s.fire(s.heap[0], now)
		}
		var due time.Time
		if len(s.heap) > 0 {
			due = s.heap[0].due
		}
		s.mu.Unlock()
		if !due.IsZero() {
			timer = s.cfg.clock.AfterFunc(due.Sub(now), s.poke)
			// The clock may have passed due while the timer was armed
			// relative to the older now.
			if !s.cfg.clock.Now().Before(due) {
				s.poke()
			}
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return s.shutdown(cancelJobs)
		case <-s.wake:
		}
		if timer != nil {
			timer.Stop()
			timer = nil
		}
	}
}

// fire handles e's due fire time and schedules the one after. Callers hold
// s.mu.
func (s *Scheduler) fire(e *entry, now time.Time) {
	fire := e.next
	if now.Sub(e.due) <= misfireGrace {
		s.dispatch(e, fire)
		s.schedule(e, s.following(e, fire))
		return
	}
	// Missed: the latest fire time at or before now, at least e.next.
	latest := e.sched.Prev(now.Add(time.Nanosecond))
	if latest.Before(fire) {
		latest = fire
	}
	if e.opts.misfire == MisfireRunOnce {
		s.dispatch(e, latest)
	} else {
		s.skip(e.name, latest, ReasonMisfire, nil)
	}
	s.cfg.log.Warn("cron: missed fire times", zap.String("job", e.name),
		zap.Time("first_missed", fire), zap.Time("latest_missed", latest),
		zap.Bool("run_once", e.opts.misfire == MisfireRunOnce))
	s.schedule(e, s.following(e, now))
}

// following returns e's first fire time after t, or the zero Time (the job
// fires no more) if its Schedule returns one that is not after t, which
// would otherwise spin the Run loop.
func (s *Scheduler) following(e *entry, t time.Time) time.Time {
	next := e.sched.Next(t)
	if !next.IsZero() && !next.After(t) {
		s.cfg.log.Error("cron: schedule returned a time not after its argument; job unscheduled",
			zap.String("job", e.name), zap.Time("after", t), zap.Time("next", next))
		return time.Time{}
	}
	return next
}

// dispatch starts a run for fire time fire, subject to the overlap policy.
// Callers hold s.mu.
func (s *Scheduler) dispatch(e *entry, fire time.Time) {
	e.last = fire
	if e.running > 0 {
		switch e.opts.overlap {
		case OverlapSkip:
			s.skip(e.name, fire, ReasonOverlap, nil)
			return
		case OverlapQueue:
			if e.queued {
				s.skip(e.name, e.qFire, ReasonOverlap, nil)
			}
			e.queued, e.qFire = true, fire
			return
		}
	}
	e.running++
	s.wg.Add(1)
	go s.execute(s.jobsCtx, e, fire)
}

// execute runs e for fire, then any run queued behind it.
func (s *Scheduler) execute(ctx context.Context, e *entry, fire time.Time) {
	defer s.wg.Done()
	for {
		ev := s.runOnce(ctx, e, fire)
		s.mu.Lock()
		if !e.queued {
			e.running--
			s.mu.Unlock()
			s.emit(ev)
			return
		}
		fire = e.qFire
		e.queued = false
		if s.stopping || e.removed {
			e.running--
			s.mu.Unlock()
			s.emit(ev)
			s.skip(e.name, fire, ReasonShutdown, nil)
			return
		}
		s.mu.Unlock()
		s.emit(ev)
	}
}

// shutdown stops scheduling and waits for running jobs.
func (s *Scheduler) shutdown(cancelJobs context.CancelCauseFunc) error {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	cancelJobs(ErrShutdown)

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	expired := make(chan struct{})
	t := s.cfg.clock.AfterFunc(s.cfg.shutdownTimeout, func() { close(expired) })
	defer t.Stop()

	var err error
	select {
	case <-done:
	case <-expired:
		s.mu.Lock()
		n := 0
		for _, e := range s.entries {
			n += e.running
		}
		s.mu.Unlock()
		err = fmt.Errorf("%w: %d still running after %v", ErrShutdownTimeout, n, s.cfg.shutdownTimeout)
		s.cfg.log.Error("cron: shutdown timed out", zap.Int("running", n))
	}
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
	return err
}
