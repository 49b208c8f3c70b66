// Package cachetest is a conformance suite for [cache.Store]
// implementations. Every store in package cache passes it, and so should a
// user's own:
//
//	func TestMyStore(t *testing.T) {
//		cachetest.Run(t, func(t *testing.T) cache.Store { return newMyStore(t) })
//	}
//
// newStore is called once per subtest and must return an empty store (or one
// whose keys cannot collide with others: the suite uses random key names).
// Expiry checks use real time with TTLs of tens of milliseconds and poll for
// up to two seconds, so they work on stores that keep time themselves, such as
// Redis.
package cachetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel/cache"
)

// Run runs the conformance tests against stores made by newStore. Expiry is
// observed in real time.
func Run(t *testing.T, newStore func(t *testing.T) cache.Store) {
	t.Helper()
	run(t, func(t *testing.T) (cache.Store, func(time.Duration)) { return newStore(t), nil })
}

// RunFakeTime is [Run] for stores whose time the test controls, such as a
// [cache.Memory] with a fake clock or a miniredis server: newStore returns the
// store and a function that moves its time forward by d.
func RunFakeTime(t *testing.T, newStore func(t *testing.T) (s cache.Store, advance func(d time.Duration))) {
	t.Helper()
	run(t, newStore)
}

// suite is the store under test and how to let time pass for it.
type suite struct {
	cache.Store
	advance func(time.Duration) // nil: real time
}

func run(t *testing.T, newStore func(t *testing.T) (cache.Store, func(time.Duration))) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, suite)
	}{
		{"GetMissing", testGetMissing},
		{"SetGet", testSetGet},
		{"Overwrite", testOverwrite},
		{"EmptyAndBinaryValues", testEmptyAndBinary},
		{"OddKeys", testOddKeys},
		{"Delete", testDelete},
		{"DeleteMany", testDeleteMany},
		{"GetMany", testGetMany},
		{"SetMany", testSetMany},
		{"TTLExpires", testTTLExpires},
		{"NoTTLKeeps", testNoTTLKeeps},
		{"OverwriteResetsTTL", testOverwriteResetsTTL},
		{"Concurrent", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, advance := newStore(t)
			tc.fn(t, suite{Store: s, advance: advance})
		})
	}
}

func key(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "cachetest:" + t.Name() + ":" + hex.EncodeToString(b[:])
}

func mustSet(t *testing.T, s cache.Store, k string, v []byte, ttl time.Duration) {
	t.Helper()
	if err := s.Set(context.Background(), k, v, ttl); err != nil {
		t.Fatalf("Set(%q): %v", k, err)
	}
}

func wantValue(t *testing.T, s cache.Store, k string, want []byte) {
	t.Helper()
	got, err := s.Get(context.Background(), k)
	if err != nil {
		t.Fatalf("Get(%q): %v, want %q", k, err, want)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", k, got, want)
	}
}

func wantMissing(t *testing.T, s cache.Store, k string) {
	t.Helper()
	got, err := s.Get(context.Background(), k)
	if !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", k, got, err)
	}
}

func testGetMissing(t *testing.T, s suite) { wantMissing(t, s, key(t)) }

func testSetGet(t *testing.T, s suite) {
	k := key(t)
	mustSet(t, s, k, []byte("v1"), time.Minute)
	wantValue(t, s, k, []byte("v1"))
}

func testOverwrite(t *testing.T, s suite) {
	k := key(t)
	mustSet(t, s, k, []byte("first"), time.Minute)
	mustSet(t, s, k, []byte("second, longer"), time.Minute)
	wantValue(t, s, k, []byte("second, longer"))
	mustSet(t, s, k, []byte("3"), time.Minute)
	wantValue(t, s, k, []byte("3"))
}

func testEmptyAndBinary(t *testing.T, s suite) {
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	big := bytes.Repeat([]byte("x"), 64<<10)
	for name, v := range map[string][]byte{"empty": {}, "binary": bin, "64KiB": big} {
		k := key(t) + name
		mustSet(t, s, k, v, time.Minute)
		got, err := s.Get(context.Background(), k)
		if err != nil {
			t.Fatalf("%s: Get: %v", name, err)
		}
		if !bytes.Equal(got, v) {
			t.Fatalf("%s: Get returned %d bytes, want %d equal bytes", name, len(got), len(v))
		}
	}
}

func testOddKeys(t *testing.T, s suite) {
	for _, suffix := range []string{" space", "\nnewline", "{tag}", "ünïcødé", "*?[glob]", ":"} {
		k := key(t) + suffix
		mustSet(t, s, k, []byte(suffix), time.Minute)
		wantValue(t, s, k, []byte(suffix))
	}
}

func testDelete(t *testing.T, s suite) {
	ctx := context.Background()
	k := key(t)
	mustSet(t, s, k, []byte("v"), time.Minute)
	if err := s.Delete(ctx, k); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantMissing(t, s, k)
	if err := s.Delete(ctx, k); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if err := s.Delete(ctx); err != nil {
		t.Fatalf("Delete of no keys: %v", err)
	}
}

func testDeleteMany(t *testing.T, s suite) {
	ctx := context.Background()
	a, b, c := key(t), key(t), key(t)
	for _, k := range []string{a, b, c} {
		mustSet(t, s, k, []byte(k), time.Minute)
	}
	if err := s.Delete(ctx, a, b, key(t)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantMissing(t, s, a)
	wantMissing(t, s, b)
	wantValue(t, s, c, []byte(c))
}

func testGetMany(t *testing.T, s suite) {
	ctx := context.Background()
	a, b, missing := key(t), key(t), key(t)
	mustSet(t, s, a, []byte("A"), time.Minute)
	mustSet(t, s, b, []byte("B"), time.Minute)
	got, err := s.GetMany(ctx, []string{a, missing, b})
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}
	if len(got) != 2 || string(got[a]) != "A" || string(got[b]) != "B" {
		t.Fatalf("GetMany = %q, want {%s:A %s:B}", got, a, b)
	}
	if _, ok := got[missing]; ok {
		t.Fatalf("GetMany returned the missing key")
	}
	empty, err := s.GetMany(ctx, nil)
	if err != nil || len(empty) != 0 {
		t.Fatalf("GetMany(nil) = %v, %v; want empty, nil", empty, err)
	}
}

func testSetMany(t *testing.T, s suite) {
	ctx := context.Background()
	items := make([]cache.Item, 20)
	for i := range items {
		items[i] = cache.Item{Key: key(t), Value: fmt.Appendf(nil, "v%d", i), TTL: time.Minute}
	}
	items[3].TTL = 0
	if err := s.SetMany(ctx, items); err != nil {
		t.Fatalf("SetMany: %v", err)
	}
	for _, it := range items {
		wantValue(t, s, it.Key, it.Value)
	}
	if err := s.SetMany(ctx, nil); err != nil {
		t.Fatalf("SetMany(nil): %v", err)
	}
}

// eventuallyMissing checks that k is gone once its TTL of 50ms has passed:
// on fake time after advancing it by 100ms, on real time by polling for up to
// two seconds.
func eventuallyMissing(t *testing.T, s suite, k string) {
	t.Helper()
	if s.advance != nil {
		s.advance(100 * time.Millisecond)
		wantMissing(t, s, k)
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := s.Get(context.Background(), k)
		if errors.Is(err, cache.ErrNotFound) {
			return
		}
		if err != nil {
			t.Fatalf("Get(%q): %v", k, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get(%q) still finds the key 2s after its TTL of 50ms", k)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testTTLExpires(t *testing.T, s suite) {
	k, batch := key(t), key(t)
	mustSet(t, s, k, []byte("v"), 50*time.Millisecond)
	if err := s.SetMany(context.Background(), []cache.Item{{Key: batch, Value: []byte("v"), TTL: 50 * time.Millisecond}}); err != nil {
		t.Fatalf("SetMany: %v", err)
	}
	eventuallyMissing(t, s, k)
	eventuallyMissing(t, s, batch)
	got, err := s.GetMany(context.Background(), []string{k, batch})
	if err != nil || len(got) != 0 {
		t.Fatalf("GetMany of expired keys = %q, %v; want empty", got, err)
	}
}

func testNoTTLKeeps(t *testing.T, s suite) {
	k, neg := key(t), key(t)
	mustSet(t, s, k, []byte("v"), 0)
	mustSet(t, s, neg, []byte("v"), -time.Second)
	short := key(t)
	mustSet(t, s, short, []byte("v"), 50*time.Millisecond)
	eventuallyMissing(t, s, short) // time has passed for all three
	wantValue(t, s, k, []byte("v"))
	wantValue(t, s, neg, []byte("v"))
}

func testOverwriteResetsTTL(t *testing.T, s suite) {
	k, short := key(t), key(t)
	mustSet(t, s, k, []byte("v"), 50*time.Millisecond)
	mustSet(t, s, k, []byte("w"), time.Minute)
	mustSet(t, s, short, []byte("v"), 50*time.Millisecond)
	eventuallyMissing(t, s, short)
	wantValue(t, s, k, []byte("w"))
}

func testConcurrent(t *testing.T, s suite) {
	ctx := context.Background()
	base := key(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := fmt.Sprintf("%s:%d", base, i%10)
				v := fmt.Appendf(nil, "%d-%d", g, i)
				if err := s.Set(ctx, k, v, time.Minute); err != nil {
					errs <- err
					return
				}
				if _, err := s.Get(ctx, k); err != nil && !errors.Is(err, cache.ErrNotFound) {
					errs <- err
					return
				}
				if i%7 == 0 {
					if err := s.Delete(ctx, k); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent use: %v", err)
	}
}
