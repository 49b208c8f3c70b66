// Package crontest holds test helpers for package cron: [Run], a
// conformance suite that every [cron.Locker] must pass, and [Clock], a fake
// [cron.Clock].
//
// A user's Locker is checked with:
//
//	func TestMyLocker(t *testing.T) {
//		crontest.Run(t, func(t *testing.T) cron.Locker { return NewMyLocker(...) })
//	}
package crontest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeel/keel/cron"
)

// Run checks the contract of [cron.Locker] and [cron.Lease] on lockers made
// by newLocker, which is called once per subtest. Leases expire in real
// time (a shared store such as Redis keeps its own clock), so the suite waits
// up to a few hundred milliseconds for expiry; it takes about a second.
// Keys carry a random prefix, so lockers may share a server with other
// tests.
func Run(t *testing.T, newLocker func(t *testing.T) cron.Locker) {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "crontest-" + hex.EncodeToString(b[:]) + "-"
	key := func(t *testing.T) string { return prefix + t.Name() }
	ctx := context.Background()

	t.Run("AcquireIsExclusive", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		k := key(t)
		lease, err := l.Acquire(ctx, k, 10*time.Second)
		if err != nil || lease == nil {
			t.Fatalf("Acquire(free key) = %v, %v; want a lease", lease, err)
		}
		if _, err := l.Acquire(ctx, k, 10*time.Second); !errors.Is(err, cron.ErrLockHeld) {
			t.Fatalf("Acquire(held key) error = %v; want ErrLockHeld", err)
		}
		other, err := l.Acquire(ctx, k+"-other", 10*time.Second)
		if err != nil {
			t.Fatalf("Acquire(other key) = %v; keys must be independent", err)
		}
		_ = other.Release(ctx, 0)
		if err := lease.Release(ctx, 0); err != nil {
			t.Fatalf("Release = %v", err)
		}
	})

	t.Run("ReleaseFrees", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		k := key(t)
		lease := mustAcquire(t, l, k, 10*time.Second)
		if err := lease.Release(ctx, 0); err != nil {
			t.Fatalf("Release(0) = %v", err)
		}
		again := mustAcquire(t, l, k, 10*time.Second)
		if err := lease.Release(ctx, 0); !errors.Is(err, cron.ErrLockLost) {
			t.Fatalf("second Release of an old lease = %v; want ErrLockLost (and the new holder untouched)", err)
		}
		if _, err := l.Acquire(ctx, k, time.Second); !errors.Is(err, cron.ErrLockHeld) {
			t.Fatalf("Acquire after stale Release = %v; the stale lease must not free the new holder's key", err)
		}
		_ = again.Release(ctx, 0)
	})

	t.Run("ReleaseKeepHoldsTheKey", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		k := key(t)
		lease := mustAcquire(t, l, k, 10*time.Second)
		if err := lease.Release(ctx, time.Second); err != nil {
			t.Fatalf("Release(keep) = %v", err)
		}
		if _, err := l.Acquire(ctx, k, time.Second); !errors.Is(err, cron.ErrLockHeld) {
			t.Fatalf("Acquire right after Release(keep) = %v; want ErrLockHeld (the tick ran)", err)
		}
		if err := lease.Extend(ctx, time.Second); !errors.Is(err, cron.ErrLockLost) {
			t.Fatalf("Extend after Release = %v; want ErrLockLost", err)
		}
		if err := lease.Release(ctx, 0); !errors.Is(err, cron.ErrLockLost) {
			t.Fatalf("Release after Release = %v; want ErrLockLost", err)
		}
		if !eventually(5*time.Second, func() bool {
			x, err := l.Acquire(ctx, k, time.Second)
			if err == nil {
				_ = x.Release(ctx, 0)
			}
			return err == nil
		}) {
			t.Fatal("key still held long after the keep period")
		}
	})

	t.Run("ExpiredLeaseIsLost", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		k := key(t)
		old := mustAcquire(t, l, k, 150*time.Millisecond)
		var next cron.Lease
		if !eventually(3*time.Second, func() bool {
			x, err := l.Acquire(ctx, k, 10*time.Second)
			next = x
			return err == nil
		}) {
			t.Fatal("lease never expired")
		}
		if err := old.Extend(ctx, 10*time.Second); !errors.Is(err, cron.ErrLockLost) {
			t.Fatalf("Extend of an expired, retaken lease = %v; want ErrLockLost", err)
		}
		if err := old.Release(ctx, 0); !errors.Is(err, cron.ErrLockLost) {
			t.Fatalf("Release of an expired, retaken lease = %v; want ErrLockLost", err)
		}
		if _, err := l.Acquire(ctx, k, time.Second); !errors.Is(err, cron.ErrLockHeld) {
			t.Fatalf("new holder lost its key to a stale lease: Acquire = %v", err)
		}
		_ = next.Release(ctx, 0)
	})

	t.Run("ExtendKeepsTheLease", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		k := key(t)
		lease := mustAcquire(t, l, k, 500*time.Millisecond)
		if err := lease.Extend(ctx, 10*time.Second); err != nil {
			t.Fatalf("Extend = %v", err)
		}
		time.Sleep(800 * time.Millisecond) // past the first TTL, in the store's own time
		if _, err := l.Acquire(ctx, k, time.Second); !errors.Is(err, cron.ErrLockHeld) {
			t.Fatalf("Acquire after Extend = %v; want ErrLockHeld", err)
		}
		if err := lease.Release(ctx, 0); err != nil {
			t.Fatalf("Release after Extend = %v", err)
		}
	})

	t.Run("ConcurrentAcquireHasOneWinner", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		k := key(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				lease, err := l.Acquire(ctx, k, 10*time.Second)
				switch {
				case err == nil:
					wins.Add(1)
					_ = lease // kept until the key is deleted below
				case !errors.Is(err, cron.ErrLockHeld):
					t.Errorf("Acquire = %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("%d of 16 concurrent Acquires won; want exactly 1", n)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		lease, err := l.Acquire(cctx, key(t), time.Second)
		if err == nil {
			_ = lease.Release(ctx, 0)
			t.Fatal("Acquire with a cancelled context succeeded")
		}
	})

	t.Run("OddKeys", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		for _, k := range []string{key(t) + " with spaces@2026-01-01T00:00:00Z", key(t) + "/ünï{cödé}"} {
			lease := mustAcquire(t, l, k, 10*time.Second)
			if _, err := l.Acquire(ctx, k, time.Second); !errors.Is(err, cron.ErrLockHeld) {
				t.Fatalf("Acquire(%q) twice = %v; want ErrLockHeld", k, err)
			}
			if err := lease.Release(ctx, 0); err != nil {
				t.Fatalf("Release(%q) = %v", k, err)
			}
		}
	})
}

func mustAcquire(t *testing.T, l cron.Locker, key string, ttl time.Duration) cron.Lease {
	t.Helper()
	lease, err := l.Acquire(context.Background(), key, ttl)
	if err != nil {
		t.Fatalf("Acquire(%q) = %v", key, err)
	}
	return lease
}

// eventually polls cond every 20ms until it holds or timeout passes: lease
// expiry happens in the store's own clock, which the suite cannot drive.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
