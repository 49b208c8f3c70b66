package cachebench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	rcache "github.com/go-redis/cache/v9"
	"github.com/gokeel/keel/cache"
	"github.com/redis/go-redis/v9"
	"github.com/vmihailenco/msgpack/v5"
)

// msgpackCodec is a keel Codec with go-redis/cache's encoding, for an
// apples-to-apples Redis comparison.
type msgpackCodec struct{}

func (msgpackCodec) Marshal(v any) ([]byte, error)   { return msgpack.Marshal(v) }
func (msgpackCodec) Unmarshal(b []byte, v any) error { return msgpack.Unmarshal(b, v) }

// redisClient returns a client for KEEL_TEST_REDIS, or skips.
func redisClient(b *testing.B) (*redis.Client, string) {
	addr := os.Getenv("KEEL_TEST_REDIS")
	if addr == "" {
		b.Skip("set KEEL_TEST_REDIS to run the Redis benchmarks")
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Skipf("redis: %v", err)
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	prefix := "bench:" + hex.EncodeToString(r[:]) + ":"
	b.Cleanup(func() { // leave the shared server as we found it
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			_ = c.Del(ctx, keys[:n]...).Err()
			keys = keys[n:]
		}
	})
	return c, prefix
}

// BenchmarkRedisHit is a GetOrLoad hit served by Redis (no local tier): one
// round trip and a decode.
func BenchmarkRedisHit(b *testing.B) {
	ctx := context.Background()
	v := mkValue(1)
	keelBench := func(codec cache.Codec) func(b *testing.B) {
		return func(b *testing.B) {
			client, prefix := redisClient(b)
			s, _ := cache.NewRedis(client, cache.WithPrefix(prefix))
			opts := []cache.Option{cache.WithTTL(ttl)}
			if codec != nil {
				opts = append(opts, cache.WithCodec(codec))
			}
			c, _ := cache.New[value](s, opts...)
			defer c.Close()
			_ = c.Set(ctx, "k", v)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.GetOrLoad(ctx, "k", loadValue); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			_ = c.Delete(ctx, "k")
		}
	}
	b.Run("impl=keel_json", keelBench(nil))
	b.Run("impl=keel_msgpack", keelBench(msgpackCodec{}))
	b.Run("impl=go_redis_cache", func(b *testing.B) {
		client, prefix := redisClient(b)
		c := rcache.New(&rcache.Options{Redis: client})
		k := prefix + "k"
		if err := c.Set(&rcache.Item{Ctx: ctx, Key: k, Value: v, TTL: ttl}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var got value
			if err := c.Once(&rcache.Item{Ctx: ctx, Key: k, Value: &got, Do: func(*rcache.Item) (any, error) { return mkValue(1), nil }}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		_ = c.Delete(ctx, k)
	})
}

// BenchmarkTieredHitParallel is a GetOrLoad hit answered by the local tier
// of a two-tier (local + Redis) cache, from every P at once.
func BenchmarkTieredHitParallel(b *testing.B) {
	ctx := context.Background()
	keys := allKeys(hitKeys)
	b.Run("impl=keel_tiered", func(b *testing.B) {
		client, prefix := redisClient(b)
		local, _ := cache.NewMemory(cache.WithMaxEntries(2 * hitKeys))
		ts, err := cache.NewTiered(local, client, cache.WithPrefix(prefix))
		if err != nil {
			b.Fatal(err)
		}
		defer ts.Close()
		for !ts.Live() {
			time.Sleep(time.Millisecond)
		}
		c, _ := cache.New[value](ts, cache.WithTTL(ttl))
		defer c.Close()
		for i, k := range keys {
			_ = c.Set(ctx, k, mkValue(i))
		}
		runTrace(b, func(k string) {
			if _, err := c.GetOrLoad(ctx, k, loadValue); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("impl=go_redis_cache", func(b *testing.B) {
		client, prefix := redisClient(b)
		c := rcache.New(&rcache.Options{Redis: client, LocalCache: rcache.NewTinyLFU(2*hitKeys, ttl)})
		for i, k := range keys {
			if err := c.Set(&rcache.Item{Ctx: ctx, Key: prefix + k, Value: mkValue(i), TTL: ttl}); err != nil {
				b.Fatal(err)
			}
		}
		prefixed := make([]string, len(trace)) // no concatenation in the loop
		for i, k := range trace {
			prefixed[i] = prefix + k
		}
		runTraceOn(b, prefixed, func(k string) {
			var v value
			if err := c.Once(&rcache.Item{Ctx: ctx, Key: k, Value: &v, Do: func(*rcache.Item) (any, error) { return mkValue(1), nil }}); err != nil {
				b.Fatal(err)
			}
		})
	})
}
