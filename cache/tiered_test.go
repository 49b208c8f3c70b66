package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/cache/cachetest"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// newTiered returns a live tiered store on client, closed when t ends.
func newTiered(t *testing.T, client redis.UniversalClient, prefix string, opts ...cache.Option) *cache.Tiered {
	t.Helper()
	cleanupPrefix(t, client, prefix)
	opts = append([]cache.Option{cache.WithPrefix(prefix)}, opts...)
	ts, err := cache.NewTiered(newMemory(t), client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Close() })
	waitLive(t, ts)
	return ts
}

// waitLive waits until ts has subscribed.
func waitLive(t *testing.T, ts *cache.Tiered) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ts.Live() {
		if time.Now().After(deadline) {
			t.Fatal("tiered store did not subscribe within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestTieredConformance(t *testing.T) {
	if testenv.RedisAddr(t) != "" {
		cachetest.Run(t, func(t *testing.T) cache.Store {
			return newTiered(t, testenv.Redis(t), testenv.Name("keeltest:")+":")
		})
		return
	}
	// miniredis: both tiers on fake time.
	cachetest.RunFakeTime(t, func(t *testing.T) (cache.Store, func(time.Duration)) {
		mr := miniredis.RunT(t)
		client := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { _ = client.Close() })
		clk := newFakeClock()
		ts, err := cache.NewTiered(newMemory(t, cache.WithClock(clk)), client)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ts.Close() })
		waitLive(t, ts)
		return ts, func(d time.Duration) { mr.FastForward(d); clk.Advance(d) }
	})
}

// TestTieredInvalidation runs two instances (two clients, as two processes
// would) on one Redis: a write on one evicts the other's local copy.
func TestTieredInvalidation(t *testing.T) {
	t.Parallel()
	prefix := testenv.Name("keeltest:") + ":"
	clientA, clientB := testenv.Redis(t), testenv.Redis(t)
	if testenv.RedisAddr(t) == "" {
		// miniredis: both stores must share one server.
		clientB = clientA
	}
	a := newTiered(t, clientA, prefix, cache.WithLocalTTL(time.Hour))
	b := newTiered(t, clientB, prefix, cache.WithLocalTTL(time.Hour))
	ctx := context.Background()

	// Written behind the stores' backs, so that no invalidation is in flight.
	if err := clientA.Set(ctx, prefix+"k", "v1", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "k"); err != nil || string(v) != "v1" {
		t.Fatalf("b.Get = %q, %v", v, err)
	}
	// b now answers from its local tier: a write behind its back is unseen.
	if err := clientA.Set(ctx, prefix+"k", "raw", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(ctx, "k"); string(v) != "v1" {
		t.Fatalf("b.Get = %q, want its local copy v1", v)
	}

	start := time.Now()
	if err := a.Set(ctx, "k", []byte("v2"), time.Hour); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { v, _ := b.Get(ctx, "k"); return string(v) == "v2" }, "b sees v2 after a.Set")
	t.Logf("invalidation reached the other instance in %v", time.Since(start))

	if err := a.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { _, err := b.Get(ctx, "k"); return errors.Is(err, cache.ErrNotFound) }, "b misses after a.Delete")

	if err := a.SetMany(ctx, []cache.Item{{Key: "m", Value: []byte("1"), TTL: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.GetMany(ctx, []string{"m", "absent"}); err != nil || string(got["m"]) != "1" || len(got) != 1 {
		t.Fatalf("b.GetMany = %q, %v", got, err)
	}
	if err := a.SetMany(ctx, []cache.Item{{Key: "m", Value: []byte("2"), TTL: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { v, _ := b.Get(ctx, "m"); return string(v) == "2" }, "b sees m=2 after a.SetMany")
}

// eventually polls cond for up to two seconds.
func eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestTieredRedisDown checks that the local tier is dropped while the
// subscription is lost and that a Cache over it keeps answering.
func TestTieredRedisDown(t *testing.T) {
	t.Parallel()
	srv := testenv.StartRedisServer(t)
	client := srv.Client()
	ts := newTiered(t, client, testenv.Name("keeltest:")+":")
	c := newCache[string](t, ts, cache.WithStoreTimeout(time.Second))
	ctx := context.Background()
	load := func(context.Context) (string, error) { return "v", nil }
	if v, err := c.GetOrLoad(ctx, "k", load); err != nil || v != "v" {
		t.Fatalf("GetOrLoad = %q, %v", v, err)
	}
	srv.Stop()
	eventually(t, func() bool { return !ts.Live() }, "tiered store notices Redis is gone")
	for i := 0; i < 3; i++ {
		if v, err := c.GetOrLoad(ctx, "k", load); err != nil || v != "v" {
			t.Fatalf("Redis down: GetOrLoad = %q, %v", v, err)
		}
	}
	srv.Start()
	waitLive(t, ts)
	if v, err := c.GetOrLoad(ctx, "k", load); err != nil || v != "v" {
		t.Fatalf("Redis back: GetOrLoad = %q, %v", v, err)
	}
}

// TestTieredTypedCache runs typed caches over two tiered stores: values are
// kept decoded in the local tier (no allocation on a hit) and writes on one
// instance reach the other.
func TestTieredTypedCache(t *testing.T) { // not parallel: AllocsPerRun
	prefix := testenv.Name("keeltest:") + ":"
	clientA, clientB := testenv.Redis(t), testenv.Redis(t)
	if testenv.RedisAddr(t) == "" {
		clientB = clientA
	}
	a := newCache[user](t, newTiered(t, clientA, prefix, cache.WithLocalTTL(time.Hour)))
	b := newCache[user](t, newTiered(t, clientB, prefix, cache.WithLocalTTL(time.Hour)))
	ctx := context.Background()
	var loads int
	load := func(context.Context) (user, error) { loads++; return user{ID: 1, Name: "v1"}, nil }
	if u, err := a.GetOrLoad(ctx, "u", load); err != nil || u.Name != "v1" {
		t.Fatalf("a.GetOrLoad = %+v, %v", u, err)
	}
	if u, err := b.GetOrLoad(ctx, "u", load); err != nil || u.Name != "v1" || loads != 1 {
		t.Fatalf("b.GetOrLoad = %+v, %v after %d loads; want v1 from Redis", u, err, loads)
	}
	allocs := testing.AllocsPerRun(100, func() { _, _ = b.GetOrLoad(ctx, "u", load) })
	if allocs != 0 {
		t.Fatalf("typed hit on the local tier: %v allocs, want 0", allocs)
	}
	if err := a.Set(ctx, "u", user{ID: 1, Name: "v2"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { u, _ := b.Get(ctx, "u"); return u.Name == "v2" }, "b sees v2")
	if err := a.Delete(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { _, err := b.Get(ctx, "u"); return errors.Is(err, cache.ErrNotFound) }, "b misses after delete")
}
