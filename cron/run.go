package cron

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"go.uber.org/zap"
)

// opTimeout bounds each call to the Locker made outside a job's context.
const opTimeout = 5 * time.Second

// leaseKey names a job and one of its fire times.
func leaseKey(name string, fire time.Time) string {
	return name + "@" + fire.UTC().Format(time.RFC3339Nano)
}

// runOnce takes the tick's lease and, if it gets it, runs the job once. It
// returns the event that ends the run (a finish or a skip), which the caller
// emits once its bookkeeping is done.
func (s *Scheduler) runOnce(ctx context.Context, e *entry, fire time.Time) Event {
	ttl := s.cfg.leaseTTL
	if e.opts.timeout > 0 {
		ttl += e.opts.timeout
	}
	lease, err := s.cfg.locker.Acquire(ctx, leaseKey(e.name, fire), ttl)
	switch {
	case errors.Is(err, ErrLockHeld):
		return s.skipped(e.name, fire, ReasonLockHeld, nil)
	case err != nil:
		s.cfg.log.Error("cron: acquire lease", zap.String("job", e.name), zap.Time("fire", fire), zap.Error(err))
		return s.skipped(e.name, fire, ReasonLockError, err)
	}

	jobCtx, cancel := context.WithCancelCause(context.WithValue(ctx, fireKey{}, fire))
	defer cancel(nil)
	var timeout Timer
	if e.opts.timeout > 0 {
		timeout = s.cfg.clock.AfterFunc(e.opts.timeout, func() { cancel(ErrTimeout) })
	}
	ext := s.keepAlive(e.name, lease, ttl, cancel)

	s.emit(Event{Kind: EventStart, Job: e.name, Fire: fire})
	start := s.cfg.clock.Now()
	err = call(jobCtx, e.job)
	dur := s.cfg.clock.Now().Sub(start)
	if timeout != nil {
		timeout.Stop()
	}
	ext.stop()

	result := "success"
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		result = "panic"
		s.cfg.log.Error("cron: job panicked", zap.String("job", e.name), zap.Time("fire", fire),
			zap.Any("panic", pe.value), zap.ByteString("stack", pe.stack))
	case err != nil && errors.Is(context.Cause(jobCtx), ErrTimeout):
		result = "timeout"
		s.cfg.log.Error("cron: job timed out", zap.String("job", e.name), zap.Time("fire", fire), zap.Error(err))
	case err != nil:
		result = "error"
		s.cfg.log.Error("cron: job failed", zap.String("job", e.name), zap.Time("fire", fire), zap.Error(err))
	default:
		s.cfg.log.Debug("cron: job done", zap.String("job", e.name), zap.Time("fire", fire), zap.Duration("duration", dur))
	}
	if s.metrics != nil {
		s.metrics.runs.WithLabelValues(e.name, result).Inc()
		s.metrics.duration.WithLabelValues(e.name).Observe(dur.Seconds())
	}

	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
	if rerr := lease.Release(rctx, s.cfg.retention); rerr != nil {
		s.cfg.log.Warn("cron: release lease", zap.String("job", e.name), zap.Time("fire", fire), zap.Error(rerr))
	}
	rcancel()
	return Event{Kind: EventFinish, Job: e.name, Fire: fire, Duration: dur, Err: err}
}

type fireKey struct{}

// FireTime returns the scheduled fire time of the run that ctx belongs to:
// the tick the run's lease names, before any jitter. It reports false for a
// context that did not come from a [Scheduler].
func FireTime(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(fireKey{}).(time.Time)
	return t, ok
}

// keeper extends a lease every third of its TTL until stopped.
type keeper struct {
	mu      sync.Mutex
	t       Timer
	stopped bool
}

func (s *Scheduler) keepAlive(name string, lease Lease, ttl time.Duration, cancel context.CancelCauseFunc) *keeper {
	k := &keeper{}
	var arm func()
	arm = func() {
		k.t = s.cfg.clock.AfterFunc(ttl/3, func() {
			if k.isStopped() {
				return
			}
			ctx, c := context.WithTimeout(context.Background(), opTimeout)
			err := lease.Extend(ctx, ttl)
			c()
			if k.isStopped() {
				return
			}
			if errors.Is(err, ErrLockLost) {
				s.cfg.log.Error("cron: lease lost; cancelling run", zap.String("job", name))
				cancel(ErrLockLost)
				return
			}
			if err != nil {
				s.cfg.log.Warn("cron: extend lease", zap.String("job", name), zap.Error(err))
			}
			k.mu.Lock()
			defer k.mu.Unlock()
			if !k.stopped {
				arm()
			}
		})
	}
	k.mu.Lock()
	arm()
	k.mu.Unlock()
	return k
}

func (k *keeper) isStopped() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stopped
}

func (k *keeper) stop() {
	k.mu.Lock()
	k.stopped = true
	k.t.Stop()
	k.mu.Unlock()
}

// panicError carries a recovered panic and its stack.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("cron: job panicked: %v", p.value) }
func (p *panicError) Unwrap() error { return ErrPanic }

// call runs job, turning a panic into an error wrapping ErrPanic.
func call(ctx context.Context, job Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
		}
	}()
	return job(ctx)
}

// skip records and reports a fire time that is not run here.
func (s *Scheduler) skip(name string, fire time.Time, reason string, err error) {
	s.emit(s.skipped(name, fire, reason, err))
}

// skipped records a fire time that is not run here and returns the event
// to report.
func (s *Scheduler) skipped(name string, fire time.Time, reason string, err error) Event {
	if s.metrics != nil {
		s.metrics.skips.WithLabelValues(name, reason).Inc()
	}
	if reason != ReasonLockHeld {
		s.cfg.log.Debug("cron: skipped", zap.String("job", name), zap.Time("fire", fire), zap.String("reason", reason))
	}
	return Event{Kind: EventSkip, Job: name, Fire: fire, Reason: reason, Err: err}
}

func (s *Scheduler) emit(ev Event) {
	if s.cfg.hook != nil {
		s.cfg.hook(ev)
	}
}
