package ratelimit

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Defaults used when no option says otherwise.
const (
	// DefaultMaxKeys is the most keys a memory limiter (or the Redis
	// limiter's local deny cache) holds before it evicts.
	DefaultMaxKeys = 1_000_000
	// DefaultTimeout bounds one Redis decision.
	DefaultTimeout = 100 * time.Millisecond
	// DefaultFailureCooldown is how long a Redis limiter applies its failure
	// policy without asking Redis after a failed decision.
	DefaultFailureCooldown = time.Second
	// DefaultPrefix starts the Redis keys when [WithPrefix] is not given;
	// the limit follows it (see [WithPrefix]).
	DefaultPrefix = "ratelimit:"
	// DefaultName labels a limiter's metrics and logs.
	DefaultName = "default"
)

type scope uint8

const (
	scopeMemory scope = 1 << iota
	scopeRedis
	scopeAll = scopeMemory | scopeRedis
)

// Option configures a limiter. Options are checked by the constructor,
// which returns [ErrInvalidOption] for a bad value or for an option that
// does not apply to it (such as [WithPrefix] given to [NewMemory]).
type Option interface {
	apply(*config) error
	scope() scope
	name() string
}

type option struct {
	n  string
	sc scope
	f  func(*config) error
}

func (o option) apply(c *config) error { return o.f(c) }
func (o option) scope() scope          { return o.sc }
func (o option) name() string          { return o.n }

type config struct {
	clock      Clock
	name       string
	logger     *zap.Logger
	registerer prometheus.Registerer
	maxKeys    int
	prefix     string
	prefixSet  bool
	failOpen   bool
	timeout    time.Duration
	cooldown   time.Duration
	denyCache  bool
}

func newConfig(sc scope, ctor string, opts []Option) (*config, error) {
	c := &config{
		name:      DefaultName,
		logger:    zap.NewNop(),
		maxKeys:   DefaultMaxKeys,
		failOpen:  true,
		timeout:   DefaultTimeout,
		cooldown:  DefaultFailureCooldown,
		denyCache: true,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.scope()&sc == 0 {
			return nil, fmt.Errorf("%w: %s does not apply to %s", ErrInvalidOption, o.name(), ctor)
		}
		if err := o.apply(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// nanos returns the configured clock as Unix nanoseconds. Without
// WithClock it reads the monotonic clock from a wall-clock origin: cheaper
// than time.Now, and immune to wall-clock steps.
func (c *config) nanos() func() int64 {
	if c.clock != nil {
		clock := c.clock
		return func() int64 { return clock().UnixNano() }
	}
	origin := time.Now()
	base := origin.UnixNano()
	return func() int64 { return base + int64(time.Since(origin)) }
}

func badOption(name, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidOption, name, fmt.Sprintf(format, args...))
}

// WithClock sets the clock the limiter reads. Tests pass a fake clock to
// drive time without sleeping. The default reads the monotonic clock
// (time.Since a wall-clock origin), so wall-clock steps do not disturb
// limits. The Redis limiter takes its decisions on Redis's clock and uses
// this one only for its local deny cache.
func WithClock(c Clock) Option {
	return option{"WithClock", scopeAll, func(cfg *config) error {
		if c == nil {
			return badOption("WithClock", "nil clock")
		}
		cfg.clock = c
		return nil
	}}
}

// WithName names the limiter in metrics (label "limiter") and logs. The
// default is "default".
func WithName(name string) Option {
	return option{"WithName", scopeAll, func(cfg *config) error {
		if name == "" {
			return badOption("WithName", "empty name")
		}
		cfg.name = name
		return nil
	}}
}

// WithLogger sets the logger for backend failures. The default discards.
func WithLogger(l *zap.Logger) Option {
	return option{"WithLogger", scopeAll, func(cfg *config) error {
		if l == nil {
			return badOption("WithLogger", "nil logger")
		}
		cfg.logger = l
		return nil
	}}
}

// WithMetrics registers the counter keel_ratelimit_decisions_total
// (labels limiter and result: allowed, denied, error) with r. Limiters
// sharing a registerer share the counter. The default is no metrics.
func WithMetrics(r prometheus.Registerer) Option {
	return option{"WithMetrics", scopeAll, func(cfg *config) error {
		if r == nil {
			return badOption("WithMetrics", "nil registerer")
		}
		cfg.registerer = r
		return nil
	}}
}

// WithMaxKeys bounds the number of keys kept in memory: the memory
// limiters' per-key state, or the Redis limiter's local deny cache. Past it
// the least recently active keys are evicted. The default is
// [DefaultMaxKeys].
func WithMaxKeys(n int) Option {
	return option{"WithMaxKeys", scopeAll, func(cfg *config) error {
		if n < 1 {
			return badOption("WithMaxKeys", "must be at least 1, got %d", n)
		}
		cfg.maxKeys = n
		return nil
	}}
}

// WithPrefix sets the prefix of the Redis keys. Limiters with different
// limits must not share a prefix. The default is [DefaultPrefix] followed
// by the limit, "ratelimit:100/1m0s/20:" for PerMinute(100, Burst(20)), so
// that limiters with the same limit share keys (as instances of one
// service should) and limiters with different limits never do.
func WithPrefix(p string) Option {
	return option{"WithPrefix", scopeRedis, func(cfg *config) error {
		cfg.prefix, cfg.prefixSet = p, true
		return nil
	}}
}

// WithFailOpen makes the Redis limiter allow requests when Redis fails or
// times out (the default). Failures are logged and counted.
func WithFailOpen() Option {
	return option{"WithFailOpen", scopeRedis, func(cfg *config) error {
		cfg.failOpen = true
		return nil
	}}
}

// WithFailClosed makes the Redis limiter deny requests when Redis fails or
// times out. Failures are logged and counted.
func WithFailClosed() Option {
	return option{"WithFailClosed", scopeRedis, func(cfg *config) error {
		cfg.failOpen = false
		return nil
	}}
}

// WithTimeout bounds each Redis decision ([DefaultTimeout] by default);
// past it the failure policy decides.
func WithTimeout(d time.Duration) Option {
	return option{"WithTimeout", scopeRedis, func(cfg *config) error {
		if d <= 0 {
			return badOption("WithTimeout", "must be positive, got %v", d)
		}
		cfg.timeout = d
		return nil
	}}
}

// WithFailureCooldown sets how long a Redis limiter stops asking Redis after
// a failed decision ([DefaultFailureCooldown] by default). During the
// cooldown every decision follows the failure policy at once, so an outage
// costs no timeout per request; after it, one decision probes Redis while the
// others keep failing fast, and limiting resumes when the probe succeeds.
// 0 turns the cooldown off: every decision tries Redis.
func WithFailureCooldown(d time.Duration) Option {
	return option{"WithFailureCooldown", scopeRedis, func(cfg *config) error {
		if d < 0 {
			return badOption("WithFailureCooldown", "must not be negative, got %v", d)
		}
		cfg.cooldown = d
		return nil
	}}
}

// WithLocalDenyCache turns the local deny cache on (the default) or off.
// When Redis says a key is denied until T, the limiter denies it locally
// until T without asking Redis again. Only denials are served locally, so
// the number of admitted requests stays exact.
func WithLocalDenyCache(on bool) Option {
	return option{"WithLocalDenyCache", scopeRedis, func(cfg *config) error {
		cfg.denyCache = on
		return nil
	}}
}
