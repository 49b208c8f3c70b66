package ratelimit

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

//go:embed gcra.lua
var gcraSource string

// one is 1, boxed once.
var one any = 1

// gcraScript is shared by all Redis limiters: it is stateless.
var gcraScript = redis.NewScript(gcraSource)

// Redis is a distributed limiter: GCRA (the generic cell rate algorithm,
// a token bucket kept as a single timestamp per key) run by a Lua script on
// Redis, so every instance of a service shares one limit per key.
//
// Time on Redis is in whole microseconds: the interval between events is
// rounded up to one, so a key never runs faster than declared and at most
// 1,000,000 events a second.
//
// Each decision is one round trip (EVALSHA, falling back to EVAL when the
// script is not cached), atomic on the server, on a single key (so it works
// on Redis Cluster), through any [redis.UniversalClient]. Time is Redis's
// own (TIME), so instances with skewed clocks agree. Keys expire by
// themselves once their bucket is full again.
//
// When Redis says a key is denied until T, the limiter remembers it and
// denies the key locally until T ([WithLocalDenyCache], on by default):
// under a flood, denied requests cost no round trip, and since only
// denials are served locally the number admitted is unchanged. (If Redis
// loses the key — a restart without persistence, a flush — denials cached
// before run their course.)
//
// When Redis fails or does not answer within [WithTimeout], the failure
// policy decides ([WithFailOpen], the default, or [WithFailClosed]); the
// failure is logged (at most once a second) and counted, and AllowN
// returns the policy's Result with an error wrapping [ErrUnavailable].
// For a cooldown after a failure ([WithFailureCooldown], one second by
// default) decisions follow the policy without asking Redis, so an outage
// does not add a timeout to every request; then one decision probes Redis,
// and limiting resumes by itself when Redis answers again.
//
// A Redis is safe for concurrent use. Create one with [NewRedis].
type Redis struct {
	client   redis.UniversalClient
	limit    Limit
	burst    int
	interval any // µs between events, rounded up; boxed once for the script's arguments
	burstArg any
	prefix   string
	failOpen bool
	timeout  time.Duration
	cooldown int64        // ns; 0: none
	downTill atomic.Int64 // Unix ns until which Redis is not asked; 0: healthy
	now      func() int64 // Unix ns, for the deny cache
	name     string
	logger   *zap.Logger
	m        *metrics
	deny     *denyCache
	lastLog  atomic.Int64
}

var (
	_ Limiter = (*Redis)(nil)
	_ Policy  = (*Redis)(nil)
)

// NewRedis returns a limiter for limit that keeps its state in Redis under
// keys prefixed as [WithPrefix] says. It accepts every option. A nil client is
// an error wrapping [ErrInvalidOption].
func NewRedis(client redis.UniversalClient, limit Limit, opts ...Option) (*Redis, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: NewRedis: nil client", ErrInvalidOption)
	}
	if err := limit.Validate(); err != nil {
		return nil, err
	}
	cfg, err := newConfig(scopeAll, "NewRedis", opts)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.registerer, cfg.name)
	if err != nil {
		return nil, err
	}
	prefix := cfg.prefix
	if !cfg.prefixSet {
		prefix = DefaultPrefix + strconv.Itoa(limit.Events) + "/" + limit.Period.String() + "/" + strconv.Itoa(limit.BurstSize()) + ":"
	}
	l := &Redis{
		client:   client,
		limit:    limit,
		burst:    limit.BurstSize(),
		interval: int64((limit.Interval() + time.Microsecond - 1) / time.Microsecond),
		burstArg: limit.BurstSize(),
		prefix:   prefix,
		failOpen: cfg.failOpen,
		timeout:  cfg.timeout,
		cooldown: int64(cfg.cooldown),
		now:      cfg.nanos(),
		name:     cfg.name,
		logger:   cfg.logger,
		m:        m,
	}
	if cfg.denyCache {
		l.deny = newDenyCache(cfg.maxKeys)
	}
	return l, nil
}

// Limit returns the limiter's limit.
func (l *Redis) Limit() Limit { return l.limit }

// Allow is AllowN(ctx, key, 1).
func (l *Redis) Allow(ctx context.Context, key string) (Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n events for key may happen now, and takes them if
// so, in one round trip to Redis (none when the key is locally known to be
// denied). On a Redis failure it returns the failure policy's Result and an
// error wrapping [ErrUnavailable].
func (l *Redis) AllowN(ctx context.Context, key string, n int) (Result, error) {
	if err := checkN(n, l.burst); err != nil {
		return Result{}, err
	}
	start := l.now()
	if l.deny != nil {
		if d, ok := l.deny.get(key, start); ok {
			l.m.observe(false)
			return Result{
				Limit:      l.burst,
				Remaining:  int(d.remaining),
				RetryAfter: max(time.Duration(d.until-start), 0),
				ResetAfter: max(time.Duration(d.reset-start), 0),
			}, nil
		}
	}

	// After a failure, skip Redis until the cooldown ends; then one caller
	// (the one that moves the deadline on) probes it.
	if till := l.downTill.Load(); till != 0 {
		if start < till || !l.downTill.CompareAndSwap(till, start+l.cooldown) {
			return l.fail(errCoolingDown)
		}
	}

	// A caller's earlier deadline already bounds the call; only add ours
	// when it is sooner (saving a timer per decision otherwise).
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > l.timeout {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.timeout)
		defer cancel()
	}
	var nArg any = n
	if n == 1 {
		nArg = one
	}
	vals, err := gcraScript.Run(ctx, l.client, []string{l.prefix + key}, l.interval, l.burstArg, nArg).Int64Slice()
	if err == nil && len(vals) != 5 {
		err = fmt.Errorf("unexpected script reply of %d values", len(vals))
	}
	if err != nil {
		if l.cooldown > 0 {
			l.downTill.Store(l.now() + l.cooldown)
		}
		return l.fail(err)
	}
	if l.downTill.Load() != 0 {
		l.downTill.Store(0)
	}

	res := Result{
		Allowed:    vals[0] == 1,
		Limit:      l.burst,
		Remaining:  int(vals[1]),
		RetryAfter: time.Duration(vals[2]) * time.Microsecond,
		ResetAfter: time.Duration(vals[3]) * time.Microsecond,
	}
	if !res.Allowed && l.deny != nil && vals[4] > 0 {
		// Redis decided at or after start, so the key is denied at least
		// until start + retry-one on any clock: caching that is exact.
		l.deny.put(key, denial{
			until:     start + vals[4]*int64(time.Microsecond),
			reset:     start + vals[3]*int64(time.Microsecond),
			remaining: int32(min(res.Remaining, 1<<31-1)),
		}, start)
	}
	l.m.observe(res.Allowed)
	return res, nil
}

// errCoolingDown is the cause reported while the limiter skips Redis after
// a failure.
var errCoolingDown = errors.New("redis failed recently; cooling down")

func (l *Redis) fail(err error) (Result, error) {
	l.m.error()
	now := l.now()
	if last := l.lastLog.Load(); (last == 0 || now-last >= int64(time.Second)) && l.lastLog.CompareAndSwap(last, now) {
		l.logger.Warn("ratelimit: redis unavailable; applying failure policy",
			zap.String("limiter", l.name), zap.Bool("fail_open", l.failOpen), zap.Error(err))
	}
	res := Result{Allowed: l.failOpen, Limit: l.burst}
	if !l.failOpen {
		res.RetryAfter = time.Second
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %v: %w", l.timeout, err)
	}
	return res, fmt.Errorf("%w: %w", ErrUnavailable, err)
}
