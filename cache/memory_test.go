package cache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gokeel/keel/cache"
	"github.com/prometheus/client_golang/prometheus"
)

func TestMemoryBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name    string
		opts    []cache.Option
		value   int // bytes per value
		maxLen  int
		maxSize int
	}{
		{"entries", []cache.Option{cache.WithMaxEntries(100)}, 10, 100, 0},
		{"entries sharded", []cache.Option{cache.WithMaxEntries(1000), cache.WithShards(8)}, 10, 1000, 0},
		{"bytes", []cache.Option{cache.WithMaxBytes(64 << 10), cache.WithShards(1)}, 1000, 0, 64 << 10},
		{"both", []cache.Option{cache.WithMaxBytes(64 << 10), cache.WithMaxEntries(20), cache.WithShards(1)}, 1000, 20, 64 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMemory(t, tc.opts...)
			v := bytes.Repeat([]byte("x"), tc.value)
			for i := 0; i < 5000; i++ {
				if err := m.Set(ctx, fmt.Sprintf("key-%05d", i), v, time.Hour); err != nil {
					t.Fatal(err)
				}
				if i%7 == 0 {
					_, _ = m.Get(ctx, fmt.Sprintf("key-%05d", i/2))
				}
			}
			n := m.Len()
			if tc.maxLen > 0 && n > tc.maxLen {
				t.Fatalf("Len = %d, bound %d", n, tc.maxLen)
			}
			if size := n * (9 + tc.value + 96); tc.maxSize > 0 && size > tc.maxSize {
				t.Fatalf("%d entries of ~%d bytes exceed %d bytes", n, 9+tc.value+96, tc.maxSize)
			}
			if n == 0 {
				t.Fatal("store is empty")
			}
		})
	}
}

func TestMemoryKeepsHotKeysThroughAScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newMemory(t, cache.WithMaxEntries(100), cache.WithShards(1))
	for i := 0; i < 10; i++ {
		_ = m.Set(ctx, fmt.Sprintf("hot-%d", i), []byte("h"), 0)
	}
	for r := 0; r < 3; r++ {
		for i := 0; i < 10; i++ {
			_, _ = m.Get(ctx, fmt.Sprintf("hot-%d", i))
		}
	}
	for i := 0; i < 10_000; i++ { // a one-pass scan of cold keys
		_ = m.Set(ctx, fmt.Sprintf("cold-%d", i), []byte("c"), 0)
		if i%50 == 0 {
			for j := 0; j < 10; j++ {
				_, _ = m.Get(ctx, fmt.Sprintf("hot-%d", j))
			}
		}
	}
	for i := 0; i < 10; i++ {
		if _, err := m.Get(ctx, fmt.Sprintf("hot-%d", i)); err != nil {
			t.Fatalf("hot-%d evicted by a scan: %v", i, err)
		}
	}
}

// TestMemoryZipfHitRate checks that S3-FIFO beats a plain FIFO's hit rate on
// a skewed trace by a clear margin (the bench module compares it with
// ristretto and otter).
func TestMemoryZipfHitRate(t *testing.T) {
	t.Parallel()
	const keys, capacity, n = 100_000, 1000, 200_000
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.01, 1, keys-1)
	m := newMemory(t, cache.WithMaxEntries(capacity))
	ctx := context.Background()
	hits := 0
	for i := 0; i < n; i++ {
		k := fmt.Sprint(z.Uint64())
		if _, err := m.Get(ctx, k); err == nil {
			hits++
		} else {
			_ = m.Set(ctx, k, nil, 0)
		}
	}
	rate := float64(hits) / n
	t.Logf("Zipf(1.01) hit rate at 1%% capacity: %.3f", rate)
	if rate < 0.45 {
		t.Fatalf("hit rate %.3f, want >= 0.45", rate)
	}
}

func TestMemoryExpiryAndEvictionMetric(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	reg := prometheus.NewRegistry()
	m := newMemory(t, cache.WithClock(clk), cache.WithMaxEntries(10), cache.WithShards(1), cache.WithMetrics(reg))
	ctx := context.Background()
	_ = m.Set(ctx, "short", []byte("v"), time.Second)
	clk.Advance(time.Second)
	if _, err := m.Get(ctx, "short"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("expired Get: %v", err)
	}
	if m.Len() != 0 {
		t.Fatalf("Len = %d after reading an expired entry, want 0", m.Len())
	}
	for i := 0; i < 15; i++ {
		_ = m.Set(ctx, fmt.Sprint(i), []byte("v"), 0)
	}
	if got := metricValue(t, reg, "keel_cache_evictions_total"); got != 5 {
		t.Fatalf("evictions_total = %v, want 5", got)
	}
	m.Clear()
	if m.Len() != 0 {
		t.Fatal("Clear left entries")
	}
}

func TestMemoryOversizedValueNotStored(t *testing.T) {
	t.Parallel()
	m := newMemory(t, cache.WithMaxBytes(1000), cache.WithShards(1))
	ctx := context.Background()
	_ = m.Set(ctx, "k", []byte("small"), 0)
	_ = m.Set(ctx, "k", make([]byte, 2000), 0)
	if _, err := m.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("oversized value: Get err = %v; want the key gone", err)
	}
}

func TestTypedAndByteEntriesStayApart(t *testing.T) {
	t.Parallel()
	m := newMemory(t)
	ctx := context.Background()
	ints := newCache[int](t, m)
	strs := newCache[string](t, m)
	if err := ints.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("byte Get of an unencoded entry: %v", err)
	}
	if _, err := strs.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("Cache[string] Get of an int entry: %v", err)
	}
	if v, err := ints.Get(ctx, "k"); err != nil || v != 1 {
		t.Fatalf("Cache[int] Get = %d, %v", v, err)
	}
}

func TestTypedMemoryHitAllocs(t *testing.T) {
	m := newMemory(t)
	c := newCache[user](t, m)
	ctx := context.Background()
	load := func(context.Context) (user, error) { return user{ID: 1, Name: "ann"}, nil }
	if _, err := c.GetOrLoad(ctx, "u", load); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := c.GetOrLoad(ctx, "u", load); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("GetOrLoad hit on a typed memory cache: %v allocs, want 0", allocs)
	}
}

// TestMemoryReadsDuringGrowth reads resident keys without a miss while other
// goroutines insert enough keys to resize the shard tables many times.
func TestMemoryReadsDuringGrowth(t *testing.T) {
	t.Parallel()
	m := newMemory(t, cache.WithMaxBytes(1<<30), cache.WithShards(2))
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		_ = m.Set(ctx, fmt.Sprintf("resident-%d", i), []byte("r"), 0)
	}
	stop := make(chan struct{})
	done := make(chan error, 4)
	for r := 0; r < 3; r++ {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				if _, err := m.Get(ctx, fmt.Sprintf("resident-%d", i%100)); err != nil {
					done <- fmt.Errorf("resident-%d: %v", i%100, err)
					return
				}
			}
		}()
	}
	for i := 0; i < 20_000; i++ {
		_ = m.Set(ctx, fmt.Sprintf("new-%d", i), []byte("n"), 0)
	}
	close(stop)
	for r := 0; r < 3; r++ {
		if err := <-done; err != nil {
			t.Fatalf("a resident key went missing during growth: %v", err)
		}
	}
}

// TestMemoryConcurrentStress mixes every operation from several goroutines
// on a small store: values always belong to their key and the bound holds.
func TestMemoryConcurrentStress(t *testing.T) {
	t.Parallel()
	m := newMemory(t, cache.WithMaxEntries(50), cache.WithShards(2))
	ctx := context.Background()
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for i := 0; i < 20_000; i++ {
				k := fmt.Sprintf("k%d", r.IntN(200))
				switch r.IntN(10) {
				case 0:
					_ = m.Delete(ctx, k)
				case 1, 2, 3:
					_ = m.Set(ctx, k, []byte(k+"="+fmt.Sprint(i)), time.Duration(r.IntN(3))*time.Millisecond)
				case 4:
					_, _ = m.GetMany(ctx, []string{k, "k1", "k2"})
				default:
					v, err := m.Get(ctx, k)
					if err == nil && !bytes.HasPrefix(v, []byte(k+"=")) {
						errs <- fmt.Errorf("Get(%s) = %q", k, v)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n > 50 {
		t.Fatalf("Len = %d, bound 50", n)
	}
}
