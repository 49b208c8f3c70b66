package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Tiered is a [Store] with a local [Memory] tier in front of Redis. Reads
// are answered from the local tier when they can; writes go to Redis first,
// then to the local tier, and are announced on a Redis pub/sub channel so
// that every other Tiered store on the same channel drops its local copies
// (within the pub/sub latency, typically well under a millisecond on a LAN).
// Create one with [NewTiered] and stop it with [Tiered.Close]. It is safe
// for concurrent use.
//
// The local tier is used only while the subscription is live: when it drops,
// the local tier is cleared and reads go to Redis until it is back. A local
// copy never outlives its Redis entry nor [WithLocalTTL], which bounds
// staleness should a message be lost. A read that races with an invalidation
// of the same key does not fill the local tier.
type Tiered struct {
	local    *Memory
	remote   *Redis
	client   redis.UniversalClient
	channel  string
	id       [idLen]byte
	localTTL time.Duration
	log      *zap.Logger
	invCtr   prometheus.Counter

	live atomic.Bool        // subscribed: the local tier may be used
	gens [256]atomic.Uint64 // bumped per key hash on invalidation
	seed maphash.Seed

	pubsub    *redis.PubSub
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var (
	_ Store  = (*Tiered)(nil)
	_ Locker = (*Tiered)(nil)
)

// NewTiered returns a tiered store with local in front of client, and starts
// the goroutine that applies invalidations; [Tiered.Close] stops it. The
// caller keeps ownership of client. Options: [WithPrefix] (default "cache:"),
// [WithChannel] (default prefix + "invalidate"), [WithLocalTTL] (default one
// minute), [WithLogger], [WithMetrics] and [WithName]. local must not be
// shared with other users: the Tiered store clears it.
func NewTiered(local *Memory, client redis.UniversalClient, opts ...Option) (*Tiered, error) {
	if local == nil || client == nil {
		return nil, fmt.Errorf("%w: nil local store or redis client", ErrInvalidOption)
	}
	cfg, err := buildConfig(kTiered, config{prefix: "cache:", localTTL: time.Minute}, opts)
	if err != nil {
		return nil, err
	}
	if cfg.channel == "" {
		cfg.channel = cfg.prefix + "invalidate"
	}
	remote, err := NewRedis(client, WithPrefix(cfg.prefix))
	if err != nil {
		return nil, err
	}
	t := &Tiered{
		local: local, remote: remote, client: client, channel: cfg.channel,
		localTTL: cfg.localTTL, log: cfg.logger, seed: maphash.MakeSeed(), done: make(chan struct{}),
	}
	_, _ = rand.Read(t.id[:])
	if t.invCtr, err = counter(cfg.reg, cfg.name, "invalidations_total", "Invalidation messages from other instances applied to the local tier."); err != nil {
		return nil, fmt.Errorf("cache: metrics: %w", err)
	}
	local.Clear()
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.pubsub = client.Subscribe(ctx, t.channel)
	go t.listen(ctx)
	return t, nil
}

// Close stops listening for invalidations and waits for the listener to
// return. The store still answers afterwards, from Redis only.
func (t *Tiered) Close() error {
	var err error
	t.closeOnce.Do(func() {
		t.live.Store(false)
		t.cancel()
		err = t.pubsub.Close()
		<-t.done
		t.local.Clear()
	})
	return err
}

// listen applies invalidations until ctx ends.
func (t *Tiered) listen(ctx context.Context) {
	defer close(t.done)
	backoff := 50 * time.Millisecond
	for {
		msg, err := t.pubsub.ReceiveTimeout(ctx, 5*time.Second)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet channel: check that the connection is alive.
				if perr := t.pubsub.Ping(ctx); perr == nil {
					continue
				}
			}
			if t.live.Swap(false) {
				t.log.Warn("cache: tiered invalidation channel lost; local tier off", zap.Error(err))
			}
			t.invalidateAll()
			timer := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				t.invalidateAll()
				t.live.Store(true)
			}
		case *redis.Message:
			id, keys, err := decodeInvalidation([]byte(m.Payload))
			if err != nil {
				t.log.Warn("cache: ignoring bad invalidation message", zap.Error(err))
				continue
			}
			if id == t.id {
				continue
			}
			inc(t.invCtr)
			for _, k := range keys {
				t.gen(k).Add(1)
			}
			_ = t.local.Delete(ctx, keys...)
		}
	}
}

func (t *Tiered) invalidateAll() {
	for i := range t.gens {
		t.gens[i].Add(1)
	}
	t.local.Clear()
}

func (t *Tiered) gen(key string) *atomic.Uint64 {
	return &t.gens[maphash.String(t.seed, key)%uint64(len(t.gens))]
}

// localTTLFor caps a Redis lifetime (<= 0: none) at the local TTL.
func (t *Tiered) localTTLFor(ttl time.Duration) time.Duration {
	if ttl <= 0 || ttl > t.localTTL {
		return t.localTTL
	}
	return ttl
}

// fill stores v locally unless the key (or another in its generation
// bucket) was invalidated since g was read; then it drops any local copy, so
// that an older value cannot outlive the write.
func (t *Tiered) fill(key string, g uint64, v []byte, ttl time.Duration) {
	t.fillFunc(key, g, ttl, func(d time.Duration) { _ = t.local.Set(context.Background(), key, v, d) })
}

// fillFunc is fill with set writing the local copy for the given local TTL.
func (t *Tiered) fillFunc(key string, g uint64, ttl time.Duration, set func(time.Duration)) {
	gen := t.gen(key)
	if t.live.Load() && gen.Load() == g {
		set(t.localTTLFor(ttl))
		// The listener bumps the generation before it deletes: if it did
		// not bump it by now, its delete (if any) comes after our set.
		if gen.Load() == g {
			return
		}
	}
	_ = t.local.Delete(context.Background(), key)
}

// Get implements [Store].
func (t *Tiered) Get(ctx context.Context, key string) ([]byte, error) {
	if t.live.Load() {
		if v, err := t.local.Get(ctx, key); err == nil {
			return v, nil
		}
	}
	g := t.gen(key).Load()
	v, ttl, err := t.remote.getTTL(ctx, key)
	if err != nil {
		return nil, err
	}
	t.fill(key, g, v, ttl)
	return v, nil
}

// Set implements [Store]: Redis first, then the local tier, then the
// announcement to the other instances. An error after the Redis write
// means the value is stored but other instances may keep old local copies
// for up to the local TTL.
func (t *Tiered) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return t.set(ctx, key, value, ttl, func(d time.Duration) { _ = t.local.Set(context.Background(), key, value, d) })
}

// set is Set with local writing the local copy for the given local TTL.
func (t *Tiered) set(ctx context.Context, key string, value []byte, ttl time.Duration, local func(time.Duration)) error {
	g := t.gen(key).Load()
	if err := t.remote.Set(ctx, key, value, ttl); err != nil {
		_ = t.local.Delete(ctx, key)
		return err
	}
	t.fillFunc(key, g, ttl, local)
	return t.publish(ctx, key)
}

// Delete implements [Store].
func (t *Tiered) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	err := t.remote.Delete(ctx, keys...)
	_ = t.local.Delete(ctx, keys...)
	if err != nil {
		return err
	}
	return t.publish(ctx, keys...)
}

// GetMany implements [Store].
func (t *Tiered) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	var rest []string
	live := t.live.Load()
	for _, k := range keys {
		if live {
			if v, err := t.local.Get(ctx, k); err == nil {
				out[k] = v
				continue
			}
		}
		rest = append(rest, k)
	}
	if len(rest) == 0 {
		return out, nil
	}
	gens := make([]uint64, len(rest))
	for i, k := range rest {
		gens[i] = t.gen(k).Load()
	}
	vals, ttls, err := t.remote.getManyTTL(ctx, rest)
	if err != nil {
		return nil, err
	}
	for i, k := range rest {
		if v, ok := vals[k]; ok {
			out[k] = v
			t.fill(k, gens[i], v, ttls[k])
		}
	}
	return out, nil
}

// SetMany implements [Store].
func (t *Tiered) SetMany(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	gens := make([]uint64, len(items))
	keys := make([]string, len(items))
	for i, it := range items {
		gens[i], keys[i] = t.gen(it.Key).Load(), it.Key
	}
	if err := t.remote.SetMany(ctx, items); err != nil {
		_ = t.local.Delete(ctx, keys...)
		return err
	}
	for i, it := range items {
		t.fill(it.Key, gens[i], it.Value, it.TTL)
	}
	return t.publish(ctx, keys...)
}

// TryLock implements [Locker] on Redis.
func (t *Tiered) TryLock(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, bool, error) {
	return t.remote.TryLock(ctx, key, ttl)
}

func (t *Tiered) publish(ctx context.Context, keys ...string) error {
	if err := t.client.Publish(ctx, t.channel, encodeInvalidation(t.id, keys)).Err(); err != nil {
		return fmt.Errorf("cache: tiered publish invalidation: %w", err)
	}
	return nil
}

// Live reports whether the invalidation subscription is up, and so whether
// the local tier is in use.
func (t *Tiered) Live() bool { return t.live.Load() }
