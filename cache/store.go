package cache

import (
	"context"
	"time"
)

// Store is a byte-level key/value store with per-key expiry: the backend
// under a typed [Cache] and a [Tiered] store. [NewMemory], [NewRedis] and
// [NewTiered] implement it; package cachetest checks any implementation.
//
// Implementations must be safe for concurrent use and follow these rules:
//   - Get returns [ErrNotFound] (possibly wrapped) for a missing or expired key.
//   - A ttl <= 0 in Set or an [Item] means the entry does not expire.
//   - Set may keep value; the caller must not modify it afterwards. The slice
//     Get returns must not be modified by the caller.
//   - Delete of a missing key is not an error.
//   - GetMany returns only the keys found; missing keys are absent from the map.
type Store interface {
	// Get returns the value stored under key.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes keys.
	Delete(ctx context.Context, keys ...string) error
	// GetMany returns the values of the keys that are present.
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	// SetMany stores every item.
	SetMany(ctx context.Context, items []Item) error
}

// Item is one entry for [Store.SetMany].
type Item struct {
	Key   string
	Value []byte
	// TTL is the entry's lifetime; <= 0 means it does not expire.
	TTL time.Duration
}

// Locker is implemented by stores that can take a short exclusive lock
// shared by every process using the store ([Redis] and [Tiered]). A [Cache]
// uses it for [WithDistributedSingleflight].
type Locker interface {
	// TryLock tries once to take the lock named key for ttl. When ok is true
	// the caller holds the lock until unlock is called or ttl passes; unlock
	// releases it only if it is still held by this caller.
	TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(context.Context) error, ok bool, err error)
}
