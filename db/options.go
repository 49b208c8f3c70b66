package db

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Option configures Open.
type Option func(*openConfig) error

type openConfig struct {
	maxOpen, maxIdle         int
	maxLifetime, maxIdleTime time.Duration
	backoff                  Backoff
	pingTimeout              time.Duration
	log                      *zap.Logger
	reg                      prometheus.Registerer
	name                     string
	slowLog                  *zap.Logger
	slowThreshold            time.Duration
}

// Pool and connection defaults used by Open.
const (
	DefaultMaxOpenConns    = 20
	DefaultMaxIdleConns    = 10
	DefaultConnMaxLifetime = 30 * time.Minute
	DefaultConnMaxIdleTime = 5 * time.Minute
	DefaultPingTimeout     = 5 * time.Second
)

// DefaultConnectBackoff is how Open waits for the database: up to 15
// attempts, 100ms doubling to at most 2s between them (about 25s in all).
// It is a function, not a variable, so that no caller can change every
// other caller's default.
func DefaultConnectBackoff() Backoff {
	return Backoff{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Attempts: 15}
}

func defaultOpenConfig() openConfig {
	return openConfig{
		maxOpen: DefaultMaxOpenConns, maxIdle: DefaultMaxIdleConns,
		maxLifetime: DefaultConnMaxLifetime, maxIdleTime: DefaultConnMaxIdleTime,
		backoff: DefaultConnectBackoff().withDefaults(Backoff{}), pingTimeout: DefaultPingTimeout,
		log: zap.NewNop(), name: "main",
	}
}

// WithMaxOpenConns sets the pool's maximum number of open connections
// (default 20). n must be positive.
func WithMaxOpenConns(n int) Option {
	return func(c *openConfig) error {
		if n <= 0 {
			return fmt.Errorf("%w: WithMaxOpenConns(%d): must be positive", ErrInvalidOption, n)
		}
		c.maxOpen = n
		return nil
	}
}

// WithMaxIdleConns sets the pool's maximum number of idle connections
// (default 10, never more than the open limit). n must not be negative.
func WithMaxIdleConns(n int) Option {
	return func(c *openConfig) error {
		if n < 0 {
			return fmt.Errorf("%w: WithMaxIdleConns(%d): negative", ErrInvalidOption, n)
		}
		c.maxIdle = n
		return nil
	}
}

// WithConnMaxLifetime sets how long a connection may be reused (default 30m;
// 0 means forever).
func WithConnMaxLifetime(d time.Duration) Option {
	return func(c *openConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: WithConnMaxLifetime(%v): negative", ErrInvalidOption, d)
		}
		c.maxLifetime = d
		return nil
	}
}

// WithConnMaxIdleTime sets how long a connection may sit idle (default 5m;
// 0 means forever).
func WithConnMaxIdleTime(d time.Duration) Option {
	return func(c *openConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: WithConnMaxIdleTime(%v): negative", ErrInvalidOption, d)
		}
		c.maxIdleTime = d
		return nil
	}
}

// WithConnectBackoff sets how Open waits for a database that is not up yet.
// Zero fields keep DefaultConnectBackoff's values; Attempts 1 disables
// waiting.
func WithConnectBackoff(b Backoff) Option {
	return func(c *openConfig) error {
		if err := b.validate("connect"); err != nil {
			return err
		}
		c.backoff = b.withDefaults(DefaultConnectBackoff())
		return nil
	}
}

// WithPingTimeout bounds each connection attempt of Open (default 5s).
func WithPingTimeout(d time.Duration) Option {
	return func(c *openConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: WithPingTimeout(%v): must be positive", ErrInvalidOption, d)
		}
		c.pingTimeout = d
		return nil
	}
}

// WithLogger sets the logger Open reports failed connection attempts to
// (default none).
func WithLogger(l *zap.Logger) Option {
	return func(c *openConfig) error {
		if l == nil {
			return fmt.Errorf("%w: WithLogger(nil)", ErrInvalidOption)
		}
		c.log = l
		return nil
	}
}

// WithMetrics registers the pool's statistics (see NewStatsCollector) with
// reg. The default is no metrics. The collector stays registered after the
// pool is closed; a service that reopens pools uses a distinct WithName for
// each, or unregisters the old one.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(c *openConfig) error {
		if reg == nil {
			return fmt.Errorf("%w: WithMetrics(nil)", ErrInvalidOption)
		}
		c.reg = reg
		return nil
	}
}

// WithName names the database in metrics (label db) and logs; the default
// is "main". Use it when a service opens more than one database.
func WithName(name string) Option {
	return func(c *openConfig) error {
		if name == "" {
			return fmt.Errorf("%w: WithName(\"\")", ErrInvalidOption)
		}
		c.name = name
		return nil
	}
}

// WithSlowQueryLog logs, at Warn level on l, every statement whose driver
// call takes at least threshold. It wraps the driver's connections; the
// time measured is until the driver returns (for queries: until the first
// result is ready, not until every row is read). Code that reaches the
// driver's own connection through (*sql.Conn).Raw sees the wrapper; call
// its Unwrap method to get the driver's. Off by default.
func WithSlowQueryLog(l *zap.Logger, threshold time.Duration) Option {
	return func(c *openConfig) error {
		if l == nil || threshold <= 0 {
			return fmt.Errorf("%w: WithSlowQueryLog needs a logger and a positive threshold", ErrInvalidOption)
		}
		c.slowLog, c.slowThreshold = l, threshold
		return nil
	}
}
