package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Loader loads the value of a key from the source of truth. It returns
// [ErrNotFound] (or an error wrapping it) when the key has no value.
type Loader[T any] func(ctx context.Context) (T, error)

// Cache is a typed cache over a [Store] with cache-aside loading
// ([Cache.GetOrLoad]), write-through helpers and per-process single-flight.
// Create one with [New]; it is safe for concurrent use. Call [Cache.Close]
// when done with it: it waits for background refreshes.
//
// Over a [Memory] store (and without [WithCodec]) values are kept as they are,
// unencoded, so a hit costs a lock-free look-up and no allocation. Over a
// [Tiered] store values are encoded for Redis but kept decoded in the local
// tier, so local hits cost the same. Over any other store values are encoded
// with the codec inside a small envelope that also records the soft expiry
// and whether the entry is negative.
type Cache[T any] struct {
	store        Store
	mem          *Memory // the store, when it is a Memory kept unencoded
	tiered       *Tiered // the store, when it is a Tiered
	hot          *Memory // where unencoded values live: mem, or tiered's local tier
	codec        Codec
	clock        Clock
	ttl          time.Duration
	negTTL       time.Duration
	swr          time.Duration
	jitter       float64
	locker       Locker
	lockTTL      time.Duration
	lockWait     time.Duration
	storeTimeout time.Duration
	cooldown     time.Duration
	log          *zap.Logger

	storeDownUntil atomic.Int64 // Unix nanoseconds; GetOrLoad skips the store before it

	hits, misses, loads, loadErrors, staleServes, storeErrors prometheus.Counter

	flights group[T]

	wg sync.WaitGroup

	bgMu       sync.Mutex
	closed     bool
	refreshing map[string]struct{}
}

// New returns a typed cache over store. Options: [WithTTL] (default one
// minute), [WithJitter], [WithNegativeTTL], [WithStaleWhileRevalidate],
// [WithCodec] (default [JSONCodec]), [WithDistributedSingleflight],
// [WithStoreTimeout], [WithStoreCooldown], [WithClock], [WithMetrics],
// [WithName] and [WithLogger].
func New[T any](store Store, opts ...Option) (*Cache[T], error) {
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalidOption)
	}
	cfg, err := buildConfig(kCache, config{ttl: time.Minute, cooldown: time.Second}, opts)
	if err != nil {
		return nil, err
	}
	c := &Cache[T]{
		store: store, codec: cfg.codec, clock: cfg.clock,
		ttl: cfg.ttl, negTTL: cfg.negTTL, swr: cfg.swr, jitter: cfg.jitter,
		lockTTL: cfg.lockTTL, lockWait: cfg.lockWait, storeTimeout: cfg.storeTimeout, cooldown: cfg.cooldown,
		log: cfg.logger, refreshing: make(map[string]struct{}),
	}
	if m, ok := store.(*Memory); ok && cfg.codec == nil {
		c.mem, c.hot = m, m
		if c.clock == nil {
			c.clock = m.clock
		}
	}
	if t, ok := store.(*Tiered); ok {
		c.tiered, c.hot = t, t.local
	}
	if c.codec == nil {
		c.codec = JSONCodec{}
	}
	if cfg.lockTTL > 0 {
		l, ok := store.(Locker)
		if !ok {
			return nil, fmt.Errorf("%w: WithDistributedSingleflight: store %T does not implement Locker", ErrInvalidOption, store)
		}
		c.locker = l
	}
	for _, m := range []struct {
		dst        *prometheus.Counter
		name, help string
	}{
		{&c.hits, "hits_total", "Look-ups answered from the cache, negative and stale entries included."},
		{&c.misses, "misses_total", "Look-ups not answered from the cache."},
		{&c.loads, "loads_total", "Loader calls."},
		{&c.loadErrors, "load_errors_total", "Loader calls that failed (ErrNotFound excluded)."},
		{&c.staleServes, "stale_serves_total", "Stale entries returned while a refresh ran."},
		{&c.storeErrors, "store_errors_total", "Failed store calls; the cache fell back to the loader."},
	} {
		if *m.dst, err = counter(cfg.reg, cfg.name, m.name, m.help); err != nil {
			return nil, fmt.Errorf("cache: metrics: %w", err)
		}
	}
	return c, nil
}

// Close stops starting background refreshes and waits for the running ones
// to finish (they are not cancelled: give loaders their own timeouts). The
// Cache keeps working afterwards, but stale entries are then reloaded in the
// foreground. Close always returns nil.
func (c *Cache[T]) Close() error {
	c.bgMu.Lock()
	c.closed = true
	c.bgMu.Unlock()
	c.wg.Wait()
	return nil
}

func (c *Cache[T]) now() int64 { return nowNanos(c.clock) }

// found is the outcome of a look-up.
type found[T any] struct {
	val   T
	ok    bool  // an entry was there
	neg   bool  // it records "not found"
	stale bool  // past its soft TTL
	soft  int64 // soft expiry, when read from an encoded entry
}

func (c *Cache[T]) storeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.storeTimeout > 0 {
		return context.WithTimeout(ctx, c.storeTimeout)
	}
	return ctx, func() {}
}

// memHitOrAbsent is the hot path over a Memory store: a fresh, positive entry of
// type T, read with no lock, no copy of the entry and no allocation.
// Anything else is left to lookup.
// It also reports whether the key is absent from the hot tier altogether
// (then, over a Memory store, there is nothing more to look at).
func (c *Cache[T]) memHitOrAbsent(key string, now int64) (v T, ok, absent bool) {
	var zero T
	if c.hot == nil || (c.tiered != nil && !c.tiered.live.Load()) {
		return zero, false, false
	}
	e := c.hot.lookup(key)
	if e == nil {
		return zero, false, true
	}
	d := &e.entryData
	if !d.isObj || d.neg || (d.expire != 0 && now >= d.expire) || (d.soft != 0 && now >= d.soft) {
		return zero, false, false
	}
	v, ok = d.obj.(T)
	if ok {
		e.touch()
	}
	return v, ok, false
}

// lookup reads key as of now. A corrupt or undecodable entry is a miss.
func (c *Cache[T]) lookup(ctx context.Context, key string, now int64) (f found[T], err error) {
	if c.mem != nil {
		oe, ok := c.mem.getObj(key, now)
		if !ok {
			return found[T]{}, nil
		}
		return c.objFound(oe, now), nil
	}
	var b []byte
	sctx, cancel := c.storeCtx(ctx)
	if t := c.tiered; t != nil {
		if t.live.Load() {
			if oe, ok := t.local.getObj(key, now); ok {
				if f := c.objFound(oe, now); f.ok {
					cancel()
					return f, nil
				}
			}
		}
		var ttl time.Duration
		g := t.gen(key).Load()
		b, ttl, err = t.remote.getTTL(sctx, key)
		if err == nil {
			defer func() {
				if err == nil {
					c.fillTiered(key, g, ttl, f, now)
				}
			}()
		}
	} else {
		b, err = c.store.Get(sctx, key)
	}
	cancel()
	if errors.Is(err, ErrNotFound) {
		return found[T]{}, nil
	}
	if err != nil {
		return found[T]{}, err
	}
	env, err := decodeEnvelope(b)
	if err != nil {
		c.log.Warn("cache: ignoring corrupt entry", zap.String("key", key), zap.Error(err))
		return found[T]{}, nil
	}
	if c.past(now, env.soft, env.neg) {
		return found[T]{}, nil
	}
	f = found[T]{ok: true, neg: env.neg, stale: env.soft != 0 && now >= env.soft, soft: env.soft}
	if !env.neg {
		if err := c.codec.Unmarshal(env.payload, &f.val); err != nil {
			c.log.Warn("cache: ignoring undecodable entry", zap.String("key", key), zap.Error(err))
			return found[T]{}, nil
		}
	}
	return f, nil
}

// objFound turns an unencoded entry into a look-up result.
func (c *Cache[T]) objFound(oe objEntry, now int64) found[T] {
	if c.past(now, oe.soft, oe.neg) {
		return found[T]{}
	}
	f := found[T]{ok: true, neg: oe.neg, stale: oe.soft != 0 && now >= oe.soft}
	if !oe.neg {
		var ok bool
		if f.val, ok = oe.obj.(T); !ok {
			return found[T]{} // stored by a Cache of another type
		}
	}
	return f
}

// fillTiered keeps f, read from Redis with lifetime ttl after generation g,
// unencoded in the tiered store's local tier. Misses are not kept.
func (c *Cache[T]) fillTiered(key string, g uint64, ttl time.Duration, f found[T], now int64) {
	if !f.ok {
		return
	}
	oe := objEntry{soft: f.soft, neg: f.neg}
	if !f.neg {
		oe.obj = f.val
	}
	c.tiered.fillFunc(key, g, ttl, func(d time.Duration) {
		oe.expire = now + int64(d)
		c.tiered.local.setObj(key, oe, c.tiered.local.now())
	})
}

// past reports whether an entry with soft expiry soft is beyond use at now:
// negative entries have no stale window, others one of c.swr. The store
// expires entries itself; this check keeps the Cache's clock authoritative
// when the store's differs (another host's, or a test's fake clock).
func (c *Cache[T]) past(now, soft int64, neg bool) bool {
	if soft == 0 || now < soft {
		return false
	}
	return neg || now >= soft+int64(c.swr)
}

// jittered shortens d by a random fraction below the configured jitter.
func (c *Cache[T]) jittered(d time.Duration) time.Duration {
	if c.jitter == 0 {
		return d
	}
	return d - time.Duration(rand.Float64()*c.jitter*float64(d))
}

// write stores v (or a negative entry) under key with the configured TTLs.
func (c *Cache[T]) write(ctx context.Context, key string, v T, neg bool) error {
	now := c.now()
	ttl := c.ttl
	if neg {
		ttl = c.negTTL
	}
	ttl = c.jittered(ttl)
	soft := now + int64(ttl)
	hard := ttl
	if !neg {
		hard += c.swr
	}
	if c.mem != nil {
		oe := objEntry{expire: now + int64(hard), soft: soft, neg: neg}
		if !neg {
			oe.obj = v
		}
		c.mem.setObj(key, oe, now)
		return nil
	}
	env := envelope{neg: neg, soft: soft}
	if !neg {
		p, err := c.codec.Marshal(v)
		if err != nil {
			return fmt.Errorf("cache: encode: %w", err)
		}
		env.payload = p
	}
	sctx, cancel := c.storeCtx(ctx)
	defer cancel()
	if t := c.tiered; t != nil {
		oe := objEntry{soft: soft, neg: neg}
		if !neg {
			oe.obj = v
		}
		return t.set(sctx, key, encodeEnvelope(env), hard, func(d time.Duration) {
			oe.expire = now + int64(d)
			t.local.setObj(key, oe, t.local.now())
		})
	}
	return c.store.Set(sctx, key, encodeEnvelope(env), hard)
}

// Get returns the cached value of key: [ErrNotFound] on a miss or a negative
// entry, or the store's error. A stale entry (see [WithStaleWhileRevalidate])
// is returned as it is.
func (c *Cache[T]) Get(ctx context.Context, key string) (T, error) {
	now := c.now()
	v, ok, absent := c.memHitOrAbsent(key, now)
	if ok {
		inc(c.hits)
		return v, nil
	}
	var zero T
	if absent && c.mem != nil {
		inc(c.misses)
		return zero, ErrNotFound
	}
	f, err := c.lookup(ctx, key, now)
	if err != nil {
		inc(c.storeErrors)
		return zero, err
	}
	if !f.ok || f.neg {
		inc(c.misses)
		return zero, ErrNotFound
	}
	inc(c.hits)
	return f.val, nil
}

// Set stores v under key for the configured TTL. A load of key running in
// this process will not overwrite it.
func (c *Cache[T]) Set(ctx context.Context, key string, v T) error {
	c.flights.markDirty(key)
	return c.write(ctx, key, v, false)
}

// Delete removes keys. Loads of them running in this process will not store
// their results.
func (c *Cache[T]) Delete(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		c.flights.markDirty(k)
	}
	sctx, cancel := c.storeCtx(ctx)
	defer cancel()
	return c.store.Delete(sctx, keys...)
}

// GetOrLoad returns the cached value of key, or calls load, caches its result
// and returns it (cache-aside):
//
//   - Concurrent misses of one key in this process call load once; the others
//     wait for its result or for their own context. With
//     [WithDistributedSingleflight] the processes sharing the store also
//     coordinate through a short lock.
//   - When load returns [ErrNotFound] and [WithNegativeTTL] is set, the miss is
//     cached and later calls return ErrNotFound without calling load.
//   - Any other error from load is returned to the callers waiting on that
//     call and is never cached.
//   - An entry past its TTL but within [WithStaleWhileRevalidate] is returned
//     at once while one background refresh runs.
//   - When the store fails, GetOrLoad logs and counts the failure and
//     answers from load: the caller sees no store error. For
//     [WithStoreCooldown] after a failure it does not wait on the store at
//     all. [WithStoreTimeout] bounds each store call.
//
// load runs with the context of the caller that runs it; if that caller's
// context ends, the waiters whose contexts are still alive retry.
func (c *Cache[T]) GetOrLoad(ctx context.Context, key string, load Loader[T]) (T, error) {
	epoch := c.flights.epoch()
	now := c.now()
	v, ok, absent := c.memHitOrAbsent(key, now)
	if ok {
		inc(c.hits)
		return v, nil
	}
	if absent && c.mem != nil {
		inc(c.misses)
		return c.load(ctx, key, epoch, load)
	}
	if !c.storeUp(now) {
		inc(c.misses)
		return c.load(ctx, key, epoch, load)
	}
	f, err := c.lookup(ctx, key, now)
	if err != nil {
		c.storeFailed(err, "get", key)
	} else if f.ok {
		inc(c.hits)
		if f.neg {
			var zero T
			return zero, ErrNotFound
		}
		if f.stale {
			inc(c.staleServes)
			c.refresh(ctx, key, load)
		}
		return f.val, nil
	} else {
		inc(c.misses)
	}
	return c.load(ctx, key, epoch, load)
}

// load runs load through the single-flight group.
func (c *Cache[T]) load(ctx context.Context, key string, epoch uint64, load Loader[T]) (T, error) {
	for {
		v, err, leader := c.flights.do(ctx, key, epoch, func(cl *call[T], recheck bool) (T, error) {
			up := c.storeUp(c.now())
			if recheck && up {
				// A flight finished between our look-up and now: it may
				// have stored the value.
				if v, err, ok := c.fresh(ctx, key); ok {
					return v, err
				}
			}
			if c.locker != nil && up {
				return c.loadDistributed(ctx, key, load, cl)
			}
			return c.loadAndStore(ctx, key, load, cl)
		})
		if !leader && isContextErr(err) && ctx.Err() == nil {
			epoch = c.flights.epoch()
			continue // the leader's context ended, not ours: try again
		}
		return v, err
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// loadAndStore calls load and stores its outcome unless cl was marked dirty.
func (c *Cache[T]) loadAndStore(ctx context.Context, key string, load Loader[T], cl *call[T]) (T, error) {
	inc(c.loads)
	v, err := load(ctx)
	switch {
	case err == nil:
		c.storeResult(ctx, key, v, false, cl)
		return v, nil
	case errors.Is(err, ErrNotFound):
		if c.negTTL > 0 {
			c.storeResult(ctx, key, v, true, cl)
		}
		var zero T
		return zero, err
	default:
		inc(c.loadErrors)
		var zero T
		return zero, err
	}
}

func (c *Cache[T]) storeResult(ctx context.Context, key string, v T, neg bool, cl *call[T]) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.dirty {
		return
	}
	if !c.storeUp(c.now()) {
		return
	}
	if err := c.write(ctx, key, v, neg); err != nil {
		c.storeFailed(err, "set", key)
	}
}

// storeUp reports whether GetOrLoad should use the store at now.
func (c *Cache[T]) storeUp(now int64) bool { return now >= c.storeDownUntil.Load() }

// storeFailed counts and logs a failed store call and rests the store for
// the cooldown.
func (c *Cache[T]) storeFailed(err error, op, key string) {
	inc(c.storeErrors)
	c.storeDownUntil.Store(c.now() + int64(c.cooldown))
	c.log.Warn("cache: store "+op+" failed; answering from the loader", zap.String("key", key), zap.Error(err), zap.Duration("cooldown", c.cooldown))
}

// Poll intervals of a caller waiting for another process's load.
const (
	pollMin = 5 * time.Millisecond
	pollMax = 50 * time.Millisecond
)

// loadDistributed takes the store's lock for key and loads, or waits for the
// process holding it to store the value. After lockWait (real time) it loads
// itself.
func (c *Cache[T]) loadDistributed(ctx context.Context, key string, load Loader[T], cl *call[T]) (T, error) {
	deadline := time.Now().Add(c.lockWait)
	wait := pollMin
	for {
		unlock, ok, err := c.locker.TryLock(ctx, key, c.lockTTL)
		if err != nil {
			c.storeFailed(err, "lock", key)
			break
		}
		if ok {
			defer func() {
				if err := unlock(context.WithoutCancel(ctx)); err != nil {
					c.log.Warn("cache: unlock failed", zap.String("key", key), zap.Error(err))
				}
			}()
			// The previous holder may have stored the value just before
			// releasing the lock.
			if v, err, done := c.fresh(ctx, key); done {
				return v, err
			}
			return c.loadAndStore(ctx, key, load, cl)
		}
		if !time.Now().Before(deadline) {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			var zero T
			return zero, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, pollMax)
		if v, err, done := c.fresh(ctx, key); done {
			return v, err
		}
	}
	return c.loadAndStore(ctx, key, load, cl)
}

// fresh returns the entry under key when one is there and not stale.
func (c *Cache[T]) fresh(ctx context.Context, key string) (T, error, bool) {
	var zero T
	f, err := c.lookup(ctx, key, c.now())
	if err != nil || !f.ok || f.stale {
		return zero, nil, false
	}
	if f.neg {
		return zero, ErrNotFound, true
	}
	return f.val, nil, true
}

// refresh reloads key in the background unless a refresh of it runs already
// or the Cache is closed. The refresh keeps ctx's values but not its
// cancellation: it runs to completion, and Close waits for it.
func (c *Cache[T]) refresh(ctx context.Context, key string, load Loader[T]) {
	c.bgMu.Lock()
	if c.closed {
		c.bgMu.Unlock()
		return
	}
	if _, ok := c.refreshing[key]; ok {
		c.bgMu.Unlock()
		return
	}
	c.refreshing[key] = struct{}{}
	c.wg.Add(1)
	c.bgMu.Unlock()

	rctx := context.WithoutCancel(ctx)
	go func() {
		defer c.wg.Done()
		defer func() {
			c.bgMu.Lock()
			delete(c.refreshing, key)
			c.bgMu.Unlock()
			if r := recover(); r != nil {
				c.log.Error("cache: background refresh panicked", zap.String("key", key), zap.Any("panic", r))
			}
		}()
		if _, err := c.load(rctx, key, c.flights.epoch(), load); err != nil && !errors.Is(err, ErrNotFound) {
			c.log.Warn("cache: background refresh failed", zap.String("key", key), zap.Error(err))
		}
	}()
}
