package cache_test

import (
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/cache/cachetest"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/redis/go-redis/v9"
)

func TestMemoryConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Store {
		m, err := cache.NewMemory()
		if err != nil {
			t.Fatal(err)
		}
		return m
	})
}

func TestMemoryConformanceFakeClock(t *testing.T) {
	cachetest.RunFakeTime(t, func(t *testing.T) (cache.Store, func(time.Duration)) {
		clk := newFakeClock()
		m, err := cache.NewMemory(cache.WithMaxBytes(8<<20), cache.WithShards(2), cache.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		return m, clk.Advance
	})
}

// newRedisStore returns a Redis store on the configured server (then time is
// real and advance is nil) or on a miniredis whose time advance moves.
func newRedisStore(t *testing.T, opts ...cache.Option) (*cache.Redis, func(time.Duration)) {
	t.Helper()
	var client redis.UniversalClient
	var advance func(time.Duration)
	if testenv.RedisAddr(t) != "" {
		client = testenv.Redis(t)
	} else {
		mr := miniredis.RunT(t)
		rc := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { _ = rc.Close() })
		client, advance = rc, mr.FastForward
	}
	prefix := testenv.Name("keeltest:") + ":"
	cleanupPrefix(t, client, prefix)
	opts = append([]cache.Option{cache.WithPrefix(prefix)}, opts...)
	r, err := cache.NewRedis(client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r, advance
}

func TestRedisConformance(t *testing.T) {
	cachetest.RunFakeTime(t, func(t *testing.T) (cache.Store, func(time.Duration)) {
		return newRedisStore(t)
	})
}
