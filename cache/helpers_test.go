package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/gokeel/keel/cache"
	"github.com/redis/go-redis/v9"
)

// newMemory returns a memory store or fails t.
func newMemory(t testing.TB, opts ...cache.Option) *cache.Memory {
	t.Helper()
	m, err := cache.NewMemory(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newCache returns a typed cache closed when t ends.
func newCache[T any](t testing.TB, s cache.Store, opts ...cache.Option) *cache.Cache[T] {
	t.Helper()
	c, err := cache.New[T](s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// funcStore is a Store whose methods are func fields; nil fields fail.
type funcStore struct {
	get func(ctx context.Context, key string) ([]byte, error)
	set func(ctx context.Context, key string, v []byte, ttl time.Duration) error
	del func(ctx context.Context, keys ...string) error
}

func (f funcStore) Get(ctx context.Context, key string) ([]byte, error) { return f.get(ctx, key) }
func (f funcStore) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return f.set(ctx, key, v, ttl)
}
func (f funcStore) Delete(ctx context.Context, keys ...string) error { return f.del(ctx, keys...) }
func (f funcStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if v, err := f.get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}
func (f funcStore) SetMany(ctx context.Context, items []cache.Item) error {
	for _, it := range items {
		if err := f.set(ctx, it.Key, it.Value, it.TTL); err != nil {
			return err
		}
	}
	return nil
}

// cleanupPrefix deletes every key under prefix when t ends (before the
// client is closed), so that tests leave a shared Redis as they found it.
func cleanupPrefix(t testing.TB, client redis.UniversalClient, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			_ = client.Del(ctx, iter.Val()).Err()
		}
	})
}
