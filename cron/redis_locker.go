package cron

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisLocker is a [Locker] shared through Redis (standalone, Sentinel or
// Cluster): a lease is a key set with SET NX PX to a random token, extended
// and released by Lua scripts that act only if the key still holds that
// token. It is safe for concurrent use; create one with [NewRedisLocker].
type RedisLocker struct {
	client redis.UniversalClient
	prefix string
}

// RedisOption configures [NewRedisLocker].
type RedisOption func(*RedisLocker) error

// WithKeyPrefix sets the prefix of every lease key (default "keel:cron:").
// Give each application sharing a Redis its own prefix.
func WithKeyPrefix(prefix string) RedisOption {
	return func(l *RedisLocker) error {
		if prefix == "" {
			return fmt.Errorf("%w: empty key prefix", ErrInvalidOption)
		}
		l.prefix = prefix
		return nil
	}
}

// NewRedisLocker returns a Locker that keeps leases in Redis. It returns an
// error wrapping [ErrInvalidOption] for a nil client or a bad option.
func NewRedisLocker(client redis.UniversalClient, opts ...RedisOption) (*RedisLocker, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil redis client", ErrInvalidOption)
	}
	l := &RedisLocker{client: client, prefix: "keel:cron:"}
	for _, o := range opts {
		if err := o(l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

var _ Locker = (*RedisLocker)(nil)

// extendScript sets a new TTL if the key still holds our token.
var extendScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

// releaseScript deletes the key (keep <= 0) or keeps it, under a token no
// lease holds, for keep milliseconds, if it still holds our token.
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
	return 0
end
if tonumber(ARGV[2]) > 0 then
	redis.call("SET", KEYS[1], "done:" .. ARGV[1], "PX", ARGV[2])
else
	redis.call("DEL", KEYS[1])
end
return 1`)

// Acquire implements [Locker].
func (l *RedisLocker) Acquire(ctx context.Context, key string, ttl time.Duration) (Lease, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	k := l.prefix + key
	ok, err := l.client.SetNX(ctx, k, token, ttlOrMin(ttl)).Result()
	if err != nil {
		return nil, fmt.Errorf("cron: acquire %q: %w", key, err)
	}
	if !ok {
		return nil, ErrLockHeld
	}
	return &redisLease{client: l.client, key: k, token: token}, nil
}

func ttlOrMin(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return time.Millisecond
	}
	return d
}

type redisLease struct {
	client redis.UniversalClient
	key    string
	token  string
}

func (x *redisLease) Extend(ctx context.Context, ttl time.Duration) error {
	n, err := extendScript.Run(ctx, x.client, []string{x.key}, x.token, ttlOrMin(ttl).Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("cron: extend lease: %w", err)
	}
	if n == 0 {
		return ErrLockLost
	}
	return nil
}

func (x *redisLease) Release(ctx context.Context, keep time.Duration) error {
	ms := int64(0)
	if keep > 0 {
		ms = ttlOrMin(keep).Milliseconds()
	}
	n, err := releaseScript.Run(ctx, x.client, []string{x.key}, x.token, ms).Int()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("cron: release lease: %w", err)
	}
	if n == 0 {
		return ErrLockLost
	}
	return nil
}
