package cron

import (
	"context"
	"sync"
	"time"
)

// Locker hands out leases so that each fire time of a job shared by several
// scheduler instances runs on exactly one of them. The scheduler asks for a
// lease whose key names the job and its scheduled fire time (a lease per
// tick), so an instance whose clock lags cannot run a tick that another
// instance already ran.
//
// [NewLocalLocker] is the in-process default and [NewRedisLocker] the shared
// one; package crontest checks any implementation. Implementations must be
// safe for concurrent use.
type Locker interface {
	// Acquire takes the lease named key for ttl. It returns an error
	// wrapping [ErrLockHeld] when the key is taken, whether by a running
	// holder or by a released lease still kept (see [Lease.Release]).
	Acquire(ctx context.Context, key string, ttl time.Duration) (Lease, error)
}

// Lease is a held lock returned by [Locker.Acquire].
type Lease interface {
	// Extend sets the lease to expire ttl from now. It returns an error
	// wrapping [ErrLockLost] when the lease is no longer held.
	Extend(ctx context.Context, ttl time.Duration) error
	// Release ends the lease. With keep > 0 the key stays taken for keep
	// more, so that nobody can acquire it again (the tick it names has run);
	// with keep <= 0 the key is freed at once. Either way only the holder's
	// own key is touched (compare-and-delete): a lease that expired and was
	// taken over returns an error wrapping [ErrLockLost] and changes
	// nothing.
	Release(ctx context.Context, keep time.Duration) error
}

// LocalLocker is a [Locker] for one process, where several schedulers (or
// none other) share leases through memory. It is the scheduler's default.
// It is safe for concurrent use; create one with [NewLocalLocker].
type LocalLocker struct {
	clock Clock
	mu    sync.Mutex
	keys  map[string]localKey
	seq   uint64
	sweep int // size at which expired keys are swept next
}

type localKey struct {
	token   uint64
	expires time.Time
}

// NewLocalLocker returns an in-memory Locker that reads time from clock
// (nil means [SystemClock]).
func NewLocalLocker(clock Clock) *LocalLocker {
	if clock == nil {
		clock = SystemClock()
	}
	return &LocalLocker{clock: clock, keys: make(map[string]localKey), sweep: 64}
}

var _ Locker = (*LocalLocker)(nil)

// Acquire implements [Locker].
func (l *LocalLocker) Acquire(ctx context.Context, key string, ttl time.Duration) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if k, ok := l.keys[key]; ok && now.Before(k.expires) {
		return nil, ErrLockHeld
	}
	if len(l.keys) >= l.sweep {
		for name, k := range l.keys {
			if !now.Before(k.expires) {
				delete(l.keys, name)
			}
		}
		l.sweep = max(64, 2*len(l.keys))
	}
	l.seq++
	l.keys[key] = localKey{token: l.seq, expires: now.Add(ttl)}
	return &localLease{l: l, key: key, token: l.seq}, nil
}

type localLease struct {
	l     *LocalLocker
	key   string
	token uint64
}

// held reports whether the lease is still the live holder of its key.
func (x *localLease) held(now time.Time) bool {
	k, ok := x.l.keys[x.key]
	return ok && k.token == x.token && now.Before(k.expires)
}

func (x *localLease) Extend(ctx context.Context, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := x.l.clock.Now()
	x.l.mu.Lock()
	defer x.l.mu.Unlock()
	if !x.held(now) {
		return ErrLockLost
	}
	x.l.keys[x.key] = localKey{token: x.token, expires: now.Add(ttl)}
	return nil
}

func (x *localLease) Release(ctx context.Context, keep time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := x.l.clock.Now()
	x.l.mu.Lock()
	defer x.l.mu.Unlock()
	if !x.held(now) {
		return ErrLockLost
	}
	if keep <= 0 {
		delete(x.l.keys, x.key)
		return nil
	}
	// A new token: the lease can no longer be extended or released.
	x.l.seq++
	x.l.keys[x.key] = localKey{token: x.l.seq, expires: now.Add(keep)}
	return nil
}
