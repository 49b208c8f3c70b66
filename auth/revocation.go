package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Revocation is a list of revoked access-token IDs ("jti"), checked by a
// [Verifier] configured [WithRevocation]. An entry needs to live only until
// the token would have expired anyway. Implementations must be safe for
// concurrent use: [*MemoryRevocation] for one process, [*RedisRevocation]
// for many.
type Revocation interface {
	// Revoke lists jti until the time until.
	Revoke(ctx context.Context, jti string, until time.Time) error
	// IsRevoked reports whether jti is listed.
	IsRevoked(ctx context.Context, jti string) (bool, error)
}

var (
	_ Revocation = (*MemoryRevocation)(nil)
	_ Revocation = (*RedisRevocation)(nil)
)

// MemoryRevocation is a [Revocation] list in process memory. Expired
// entries are dropped as new ones are added. Build one with
// [NewMemoryRevocation]; it is safe for concurrent use.
type MemoryRevocation struct {
	mu  sync.RWMutex
	m   map[string]time.Time
	now func() time.Time
}

// NewMemoryRevocation returns an empty list. Option: [WithClock].
func NewMemoryRevocation(opts ...Option) (*MemoryRevocation, error) {
	cfg := storeConfig{now: time.Now}
	if err := applyClockOnly("NewMemoryRevocation", &cfg, opts); err != nil {
		return nil, err
	}
	return &MemoryRevocation{m: make(map[string]time.Time), now: cfg.now}, nil
}

// Revoke lists jti until until.
func (l *MemoryRevocation) Revoke(_ context.Context, jti string, until time.Time) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) >= 1024 && len(l.m)%1024 == 0 {
		for k, exp := range l.m {
			if !exp.After(now) {
				delete(l.m, k)
			}
		}
	}
	if until.After(now) {
		l.m[jti] = until
	}
	return nil
}

// IsRevoked reports whether jti is listed and its entry has not expired.
func (l *MemoryRevocation) IsRevoked(_ context.Context, jti string) (bool, error) {
	l.mu.RLock()
	exp, ok := l.m[jti]
	l.mu.RUnlock()
	return ok && exp.After(l.now()), nil
}

// RedisRevocation is a [Revocation] list in Redis: one key per revoked
// token, expiring when the token would have. Build one with
// [NewRedisRevocation]; it is safe for concurrent use.
type RedisRevocation struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisRevocation returns a list stored in rdb under keys starting with
// prefix (such as "myapp:revoked:").
func NewRedisRevocation(rdb redis.UniversalClient, prefix string) (*RedisRevocation, error) {
	if rdb == nil {
		return nil, fmt.Errorf("%w: NewRedisRevocation: nil client", ErrConfig)
	}
	return &RedisRevocation{rdb: rdb, prefix: prefix}, nil
}

// Revoke lists jti until until. An until in the past does nothing.
func (l *RedisRevocation) Revoke(ctx context.Context, jti string, until time.Time) error {
	ttl := time.Until(until)
	if ttl <= 0 {
		return nil
	}
	if err := l.rdb.Set(ctx, l.prefix+jti, 1, ttl).Err(); err != nil {
		return fmt.Errorf("auth: revoke: %w", err)
	}
	return nil
}

// IsRevoked reports whether jti is listed.
func (l *RedisRevocation) IsRevoked(ctx context.Context, jti string) (bool, error) {
	n, err := l.rdb.Exists(ctx, l.prefix+jti).Result()
	if err != nil {
		return false, fmt.Errorf("auth: revocation lookup: %w", err)
	}
	return n > 0, nil
}
