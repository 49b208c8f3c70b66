package cron

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Option configures [New].
type Option interface {
	apply(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	loc             *time.Location
	locker          Locker
	clock           Clock
	log             *zap.Logger
	reg             prometheus.Registerer
	shutdownTimeout time.Duration
	leaseTTL        time.Duration
	retention       time.Duration
	hook            func(Event)
}

// LocationOption is returned by [WithLocation]; it is both a [ParseOption]
// and an [Option].
type LocationOption struct{ loc *time.Location }

// WithLocation sets the time zone that expressions without a CRON_TZ= or
// TZ= prefix run in, for [Parse] or for every job of a [Scheduler]
// (default time.Local). A nil location is an error.
func WithLocation(loc *time.Location) LocationOption { return LocationOption{loc} }

func (o LocationOption) applyParse(c *parseConfig) error {
	if o.loc == nil {
		return fmt.Errorf("%w: nil location", ErrInvalidOption)
	}
	c.loc = o.loc
	return nil
}

func (o LocationOption) apply(c *config) error {
	if o.loc == nil {
		return fmt.Errorf("%w: nil location", ErrInvalidOption)
	}
	c.loc = o.loc
	return nil
}

// WithLocker sets the Locker that decides which instance runs a tick
// (default: a [LocalLocker] on the scheduler's clock). Share a
// [RedisLocker] between instances to run each tick once across a fleet.
func WithLocker(l Locker) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil locker", ErrInvalidOption)
		}
		c.locker = l
		return nil
	})
}

// WithClock sets the source of time (default [SystemClock]).
func WithClock(clk Clock) Option {
	return optionFunc(func(c *config) error {
		if clk == nil {
			return fmt.Errorf("%w: nil clock", ErrInvalidOption)
		}
		c.clock = clk
		return nil
	})
}

// WithLogger sets the logger (default zap.NewNop()).
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.log = l
		return nil
	})
}

// WithMetrics registers the scheduler's Prometheus metrics with reg
// (default: no metrics). The metrics are keel_cron_runs_total{job,result},
// keel_cron_run_duration_seconds{job} and keel_cron_skips_total{job,reason},
// where result is success, error, timeout or panic and reason is overlap,
// misfire, lock_held or lock_error. Schedulers sharing a registry share the
// metrics.
func WithMetrics(reg prometheus.Registerer) Option {
	return optionFunc(func(c *config) error {
		if reg == nil {
			return fmt.Errorf("%w: nil registerer", ErrInvalidOption)
		}
		c.reg = reg
		return nil
	})
}

// WithShutdownTimeout sets how long [Scheduler.Run] waits for running jobs
// after its context is done (default 30s).
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: shutdown timeout %v must be positive", ErrInvalidOption, d)
		}
		c.shutdownTimeout = d
		return nil
	})
}

// WithLeaseTTL sets the time-to-live of a tick's lease (default 30s). A job
// with a timeout gets a lease of its timeout plus this. While a job runs, its
// lease is extended every third of the TTL.
func WithLeaseTTL(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < time.Second {
			return fmt.Errorf("%w: lease TTL %v is under 1s", ErrInvalidOption, d)
		}
		c.leaseTTL = d
		return nil
	})
}

// WithLeaseRetention sets how long a tick's lease stays taken after the
// tick ran (default 1m), so that an instance whose clock lags by less than
// this cannot run the tick again.
func WithLeaseRetention(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < time.Second {
			return fmt.Errorf("%w: lease retention %v is under 1s", ErrInvalidOption, d)
		}
		c.retention = d
		return nil
	})
}

// WithHook calls f for every [Event]: each start, finish and skip of a run.
// f is called synchronously from the scheduler's goroutines, sometimes
// with the scheduler's lock held: it must be quick, safe for concurrent use,
// and must not call the Scheduler's methods.
func WithHook(f func(Event)) Option {
	return optionFunc(func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: nil hook", ErrInvalidOption)
		}
		c.hook = f
		return nil
	})
}

// Overlap says what happens when a job's fire time comes while an earlier
// run of it is still going.
type Overlap int

const (
	// OverlapSkip drops the new run (the default).
	OverlapSkip Overlap = iota
	// OverlapAllow starts the new run alongside the old.
	OverlapAllow
	// OverlapQueue runs the new one when the old one returns. At most one
	// run waits: a later fire time replaces the waiting one, which is
	// reported as skipped.
	OverlapQueue
)

// Misfire says what happens to fire times the scheduler reaches more than
// a second late: after a suspended machine or a stalled process, a
// [WithLastRun] in the past (downtime), or a [Scheduler.Run] started well
// after [Scheduler.Add].
type Misfire int

const (
	// MisfireRunOnce runs the job once, for the latest missed fire time,
	// and drops the others (the default).
	MisfireRunOnce Misfire = iota
	// MisfireSkip drops every missed fire time.
	MisfireSkip
)

// JobOption configures one job in [Scheduler.Add].
type JobOption func(*jobConfig) error

type jobConfig struct {
	timeout time.Duration
	overlap Overlap
	jitter  time.Duration
	misfire Misfire
	lastRun time.Time
}

// WithTimeout cancels the job's context, with cause [ErrTimeout], after d.
func WithTimeout(d time.Duration) JobOption {
	return func(c *jobConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: timeout %v must be positive", ErrInvalidJob, d)
		}
		c.timeout = d
		return nil
	}
}

// WithOverlap sets the overlap policy (default [OverlapSkip]).
func WithOverlap(o Overlap) JobOption {
	return func(c *jobConfig) error {
		if o < OverlapSkip || o > OverlapQueue {
			return fmt.Errorf("%w: unknown overlap policy %d", ErrInvalidJob, o)
		}
		c.overlap = o
		return nil
	}
}

// WithJitter delays each run by a random duration in [0, d), so that many
// jobs due at :00 do not all start at once. The lease still names the
// scheduled fire time, so instances agree on the tick.
func WithJitter(d time.Duration) JobOption {
	return func(c *jobConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: negative jitter %v", ErrInvalidJob, d)
		}
		c.jitter = d
		return nil
	}
}

// WithMisfire sets the misfire policy (default [MisfireRunOnce]).
func WithMisfire(m Misfire) JobOption {
	return func(c *jobConfig) error {
		if m < MisfireRunOnce || m > MisfireSkip {
			return fmt.Errorf("%w: unknown misfire policy %d", ErrInvalidJob, m)
		}
		c.misfire = m
		return nil
	}
}

// WithLastRun tells the scheduler when the job last ran (for example, read
// back from a database after a restart). The first fire time is then the
// one after t, and fire times missed since are handled by the misfire
// policy. Without it the first fire time is the one after [Scheduler.Add].
func WithLastRun(t time.Time) JobOption {
	return func(c *jobConfig) error {
		c.lastRun = t
		return nil
	}
}
