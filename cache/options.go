package cache

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// kind names the constructors an [Option] applies to.
type kind uint8

const (
	kMemory kind = 1 << iota
	kRedis
	kTiered
	kCache
	kWriteBehind
)

func (k kind) String() string {
	switch k {
	case kMemory:
		return "NewMemory"
	case kRedis:
		return "NewRedis"
	case kTiered:
		return "NewTiered"
	case kCache:
		return "New"
	case kWriteBehind:
		return "NewWriteBehind"
	}
	return "constructor"
}

// Option configures one of the package's constructors. Each option's doc
// names the constructors it applies to; passing it to another constructor,
// or passing an out-of-range value, makes the constructor return an error
// wrapping [ErrInvalidOption].
type Option struct {
	name  string
	kinds kind
	apply func(*config) error
}

// config holds every option's value; each constructor reads its own.
type config struct {
	// memory
	maxEntries int
	maxBytes   int64
	shards     int
	// shared
	clock  Clock
	reg    prometheus.Registerer
	logger *zap.Logger
	name   string
	prefix string
	// tiered
	channel  string
	localTTL time.Duration
	// cache
	ttl          time.Duration
	jitter       float64
	negTTL       time.Duration
	swr          time.Duration
	codec        Codec
	lockTTL      time.Duration
	lockWait     time.Duration
	storeTimeout time.Duration
	cooldown     time.Duration
	// write-behind
	interval        time.Duration
	batchSize       int
	maxPending      int
	failFast        bool
	backoffMin      time.Duration
	backoffMax      time.Duration
	shutdownTimeout time.Duration
}

// buildConfig applies opts for constructor k over defaults.
func buildConfig(k kind, def config, opts []Option) (config, error) {
	c := def
	for _, o := range opts {
		if o.apply == nil {
			return c, fmt.Errorf("%w: zero Option passed to %s", ErrInvalidOption, k)
		}
		if o.kinds&k == 0 {
			return c, fmt.Errorf("%w: %s does not apply to %s", ErrInvalidOption, o.name, k)
		}
		if err := o.apply(&c); err != nil {
			return c, fmt.Errorf("%w: %s: %v", ErrInvalidOption, o.name, err)
		}
	}
	if c.logger == nil {
		c.logger = zap.NewNop()
	}
	return c, nil
}

func opt(name string, k kind, f func(*config) error) Option {
	return Option{name: name, kinds: k, apply: f}
}

func positiveDur(d time.Duration, set func()) error {
	if d <= 0 {
		return fmt.Errorf("must be > 0, got %v", d)
	}
	set()
	return nil
}

// WithMaxEntries bounds a [Memory] store to n entries (default 100,000).
// Applies to [NewMemory].
func WithMaxEntries(n int) Option {
	return opt("WithMaxEntries", kMemory, func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("must be > 0, got %d", n)
		}
		c.maxEntries = n
		return nil
	})
}

// WithMaxBytes bounds a [Memory] store to about n bytes of keys and values
// plus a fixed per-entry overhead. Values a typed [Cache] keeps unencoded
// count only their key and the overhead. Without it only the entry count
// bounds the store. Applies to [NewMemory].
func WithMaxBytes(n int64) Option {
	return opt("WithMaxBytes", kMemory, func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("must be > 0, got %d", n)
		}
		c.maxBytes = n
		return nil
	})
}

// WithShards sets the number of independently locked shards of a [Memory]
// store, rounded up to a power of two (default: from GOMAXPROCS and the
// capacity). Applies to [NewMemory].
func WithShards(n int) Option {
	return opt("WithShards", kMemory, func(c *config) error {
		if n <= 0 || n > 1<<16 {
			return fmt.Errorf("must be in 1..65536, got %d", n)
		}
		c.shards = n
		return nil
	})
}

// WithClock sets the clock used for expiry (default: the system clock).
// Give a [Memory] store and the [Cache] over it the same clock. Applies to
// [NewMemory] and [New].
func WithClock(clk Clock) Option {
	return opt("WithClock", kMemory|kCache, func(c *config) error {
		if clk == nil {
			return fmt.Errorf("nil clock")
		}
		c.clock = clk
		return nil
	})
}

// WithMetrics registers the component's Prometheus counters with reg
// (default: no metrics). Counters registered twice with the same name label
// are shared. Applies to [NewMemory], [NewTiered], [New] and [NewWriteBehind].
func WithMetrics(reg prometheus.Registerer) Option {
	return opt("WithMetrics", kMemory|kTiered|kCache|kWriteBehind, func(c *config) error {
		if reg == nil {
			return fmt.Errorf("nil registerer")
		}
		c.reg = reg
		return nil
	})
}

// WithName sets the "cache" label of the component's metrics (default
// "default"). Applies to [NewMemory], [NewTiered], [New] and [NewWriteBehind].
func WithName(name string) Option {
	return opt("WithName", kMemory|kTiered|kCache|kWriteBehind, func(c *config) error {
		if name == "" {
			return fmt.Errorf("empty name")
		}
		c.name = name
		return nil
	})
}

// WithLogger sets the logger for store failures and background work
// (default: no logging). Applies to [NewTiered], [New] and [NewWriteBehind].
func WithLogger(l *zap.Logger) Option {
	return opt("WithLogger", kTiered|kCache|kWriteBehind, func(c *config) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		c.logger = l
		return nil
	})
}

// WithPrefix namespaces every Redis key (default "cache:"). Applies to
// [NewRedis] and [NewTiered].
func WithPrefix(p string) Option {
	return opt("WithPrefix", kRedis|kTiered, func(c *config) error {
		c.prefix = p
		return nil
	})
}

// WithChannel sets the Redis pub/sub channel a [Tiered] store uses for
// invalidation (default: the prefix followed by "invalidate"). Stores that
// share a prefix must share the channel. Applies to [NewTiered].
func WithChannel(ch string) Option {
	return opt("WithChannel", kTiered, func(c *config) error {
		if ch == "" {
			return fmt.Errorf("empty channel")
		}
		c.channel = ch
		return nil
	})
}

// WithLocalTTL caps how long a [Tiered] store keeps a local copy (default
// one minute). It bounds staleness should an invalidation message be lost.
// Applies to [NewTiered].
func WithLocalTTL(d time.Duration) Option {
	return opt("WithLocalTTL", kTiered, func(c *config) error {
		return positiveDur(d, func() { c.localTTL = d })
	})
}

// WithTTL sets how long a loaded or set value is fresh (default one
// minute). Applies to [New].
func WithTTL(d time.Duration) Option {
	return opt("WithTTL", kCache, func(c *config) error {
		return positiveDur(d, func() { c.ttl = d })
	})
}

// WithJitter shortens each TTL by a random fraction in [0, f) so that
// entries written together do not expire together (default 0, f < 1).
// Applies to [New].
func WithJitter(f float64) Option {
	return opt("WithJitter", kCache, func(c *config) error {
		if f < 0 || f >= 1 {
			return fmt.Errorf("must be in [0, 1), got %v", f)
		}
		c.jitter = f
		return nil
	})
}

// WithNegativeTTL caches a loader's [ErrNotFound] for d, so that repeated
// look-ups of a missing key do not reach the source (default: not cached).
// Applies to [New].
func WithNegativeTTL(d time.Duration) Option {
	return opt("WithNegativeTTL", kCache, func(c *config) error {
		return positiveDur(d, func() { c.negTTL = d })
	})
}

// WithStaleWhileRevalidate keeps an entry for d after its TTL: a
// [Cache.GetOrLoad] in that window returns the stale value at once and
// starts one background refresh (default 0: expired entries are reloaded
// in the foreground). Applies to [New].
func WithStaleWhileRevalidate(d time.Duration) Option {
	return opt("WithStaleWhileRevalidate", kCache, func(c *config) error {
		return positiveDur(d, func() { c.swr = d })
	})
}

// WithCodec sets how values are encoded for byte stores (default
// [JSONCodec]). Over a [Memory] store a Cache keeps values unencoded unless
// this option is given. Applies to [New].
func WithCodec(cd Codec) Option {
	return opt("WithCodec", kCache, func(c *config) error {
		if cd == nil {
			return fmt.Errorf("nil codec")
		}
		c.codec = cd
		return nil
	})
}

// WithDistributedSingleflight makes concurrent misses of one key across
// processes run the loader once: the first takes a lock in the store for
// lockTTL (it must implement [Locker], as [Redis] and [Tiered] do); the others
// poll the store for the value for at most wait, then load themselves.
// Applies to [New].
func WithDistributedSingleflight(lockTTL, wait time.Duration) Option {
	return opt("WithDistributedSingleflight", kCache, func(c *config) error {
		if lockTTL <= 0 || wait <= 0 {
			return fmt.Errorf("lockTTL and wait must be > 0, got %v, %v", lockTTL, wait)
		}
		c.lockTTL, c.lockWait = lockTTL, wait
		return nil
	})
}

// WithStoreTimeout bounds each store call a [Cache] makes; a call that takes
// longer counts as a store failure and the Cache falls back to the loader
// (default: no bound beyond the caller's context). Applies to [New].
func WithStoreTimeout(d time.Duration) Option {
	return opt("WithStoreTimeout", kCache, func(c *config) error {
		return positiveDur(d, func() { c.storeTimeout = d })
	})
}

// WithStoreCooldown sets how long [Cache.GetOrLoad] leaves the store alone
// after a store call failed: meanwhile it answers from the loader at once
// instead of waiting on a store that is down (default one second). Applies
// to [New].
func WithStoreCooldown(d time.Duration) Option {
	return opt("WithStoreCooldown", kCache, func(c *config) error {
		return positiveDur(d, func() { c.cooldown = d })
	})
}

// WithFlushInterval sets how often a [WriteBehind] flushes (default one
// second). Applies to [NewWriteBehind].
func WithFlushInterval(d time.Duration) Option {
	return opt("WithFlushInterval", kWriteBehind, func(c *config) error {
		return positiveDur(d, func() { c.interval = d })
	})
}

// WithBatchSize flushes a [WriteBehind] as soon as n keys are pending, and
// caps each flush at n keys (default 100). Applies to [NewWriteBehind].
func WithBatchSize(n int) Option {
	return opt("WithBatchSize", kWriteBehind, func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("must be > 0, got %d", n)
		}
		c.batchSize = n
		return nil
	})
}

// WithMaxPending bounds the keys a [WriteBehind] buffers, flushing ones
// included (default 10,000). Applies to [NewWriteBehind].
func WithMaxPending(n int) Option {
	return opt("WithMaxPending", kWriteBehind, func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("must be > 0, got %d", n)
		}
		c.maxPending = n
		return nil
	})
}

// WithFailFast makes [WriteBehind.Put] return [ErrBufferFull] when the
// buffer is full instead of waiting for room. Applies to [NewWriteBehind].
func WithFailFast() Option {
	return opt("WithFailFast", kWriteBehind, func(c *config) error {
		c.failFast = true
		return nil
	})
}

// WithRetryBackoff sets the delay before retrying a failed flush: min,
// doubling up to max (defaults 100ms and 10s). Applies to [NewWriteBehind].
func WithRetryBackoff(min, max time.Duration) Option {
	return opt("WithRetryBackoff", kWriteBehind, func(c *config) error {
		if min <= 0 || max < min {
			return fmt.Errorf("need 0 < min <= max, got %v, %v", min, max)
		}
		c.backoffMin, c.backoffMax = min, max
		return nil
	})
}

// WithShutdownTimeout bounds how long [WriteBehind.Run] keeps retrying the
// final flush after its context is done (default 30s). Applies to
// [NewWriteBehind].
func WithShutdownTimeout(d time.Duration) Option {
	return opt("WithShutdownTimeout", kWriteBehind, func(c *config) error {
		return positiveDur(d, func() { c.shutdownTimeout = d })
	})
}
