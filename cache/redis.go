package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a [Store] on a Redis server, Sentinel group or Cluster through
// [redis.UniversalClient]. Create one with [NewRedis]; it is safe for
// concurrent use. Every key is prefixed (see [WithPrefix]); batch operations
// are pipelined — one round trip per node — and use single-key commands, so
// they work on a Cluster whatever slots the keys hash to.
//
// Redis also implements [Locker] with SET NX PX and a token-checked release.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

var (
	_ Store  = (*Redis)(nil)
	_ Locker = (*Redis)(nil)
)

// NewRedis returns a store on client. Options: [WithPrefix] (default
// "cache:"). The caller keeps ownership of client and closes it.
func NewRedis(client redis.UniversalClient, opts ...Option) (*Redis, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil redis client", ErrInvalidOption)
	}
	cfg, err := buildConfig(kRedis, config{prefix: "cache:"}, opts)
	if err != nil {
		return nil, err
	}
	return &Redis{client: client, prefix: cfg.prefix}, nil
}

// Get implements [Store].
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cache: redis get: %w", err)
	}
	return b, nil
}

// getTTL returns the value under key and its remaining lifetime (<= 0 when it
// has none), in one round trip.
func (r *Redis) getTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	k := r.prefix + key
	pipe := r.client.Pipeline()
	get := pipe.Get(ctx, k)
	pttl := pipe.PTTL(ctx, k)
	_, err := pipe.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, fmt.Errorf("cache: redis get: %w", err)
	}
	b, err := get.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cache: redis get: %w", err)
	}
	return b, pttl.Val(), nil
}

// redisTTL maps a Store TTL to go-redis's expiration argument: 0 is "no
// expiry" there (negative would mean KEEPTTL), and below a millisecond it
// would round to an invalid PX 0.
func redisTTL(ttl time.Duration) time.Duration {
	switch {
	case ttl <= 0:
		return 0
	case ttl < time.Millisecond:
		return time.Millisecond
	}
	return ttl
}

// Set implements [Store].
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.client.Set(ctx, r.prefix+key, value, redisTTL(ttl)).Err(); err != nil {
		return fmt.Errorf("cache: redis set: %w", err)
	}
	return nil
}

// Delete implements [Store].
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	switch len(keys) {
	case 0:
		return nil
	case 1:
		if err := r.client.Del(ctx, r.prefix+keys[0]).Err(); err != nil {
			return fmt.Errorf("cache: redis del: %w", err)
		}
		return nil
	}
	pipe := r.client.Pipeline()
	for _, k := range keys {
		pipe.Del(ctx, r.prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("cache: redis del: %w", err)
	}
	return nil
}

// GetMany implements [Store].
func (r *Redis) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	pipe := r.client.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.Get(ctx, r.prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("cache: redis get many: %w", err)
	}
	for i, c := range cmds {
		b, err := c.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cache: redis get many: %w", err)
		}
		out[keys[i]] = b
	}
	return out, nil
}

// SetMany implements [Store].
func (r *Redis) SetMany(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	pipe := r.client.Pipeline()
	for _, it := range items {
		pipe.Set(ctx, r.prefix+it.Key, it.Value, redisTTL(it.TTL))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("cache: redis set many: %w", err)
	}
	return nil
}

// unlockScript deletes the lock only while it still holds our token.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// TryLock implements [Locker]. The lock lives under the prefix, apart from
// cached values.
func (r *Redis) TryLock(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, bool, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	lk := r.prefix + "\x00lock:" + key
	ok, err := r.client.SetNX(ctx, lk, token, redisTTL(ttl)).Result()
	if err != nil {
		return nil, false, fmt.Errorf("cache: redis lock: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	unlock := func(ctx context.Context) error {
		if err := unlockScript.Run(ctx, r.client, []string{lk}, token).Err(); err != nil {
			return fmt.Errorf("cache: redis unlock: %w", err)
		}
		return nil
	}
	return unlock, true, nil
}

// getManyTTL is GetMany with each value's remaining lifetime (<= 0: none),
// in one pipelined round trip.
func (r *Redis) getManyTTL(ctx context.Context, keys []string) (map[string][]byte, map[string]time.Duration, error) {
	out := make(map[string][]byte, len(keys))
	ttls := make(map[string]time.Duration, len(keys))
	if len(keys) == 0 {
		return out, ttls, nil
	}
	pipe := r.client.Pipeline()
	gets := make([]*redis.StringCmd, len(keys))
	pttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		gets[i] = pipe.Get(ctx, r.prefix+k)
		pttls[i] = pipe.PTTL(ctx, r.prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("cache: redis get many: %w", err)
	}
	for i, c := range gets {
		b, err := c.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("cache: redis get many: %w", err)
		}
		out[keys[i]] = b
		ttls[keys[i]] = pttls[i].Val()
	}
	return out, ttls, nil
}
