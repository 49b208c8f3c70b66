package cache

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// call is one in-flight load shared by the callers that missed one key.
type call[T any] struct {
	done chan struct{}
	val  T
	err  error

	mu    sync.Mutex // held by the leader while it writes the result to the store
	dirty bool       // the key was written or deleted meanwhile: do not store the result
}

// group deduplicates concurrent loads per key. Unlike x/sync/singleflight it
// is typed, lets each waiter give up on its own context, and lets writers mark
// a flight dirty so that its (older) result is not stored over theirs.
type group[T any] struct {
	mu       sync.Mutex
	m        map[string]*call[T]
	finished atomic.Uint64 // flights finished so far
	active   atomic.Int64  // flights running now
}

// epoch returns a value to pass to do: read it before looking the key up in
// the store.
func (g *group[T]) epoch() uint64 { return g.finished.Load() }

// do runs fn once for all concurrent callers with the same key. The caller
// that runs fn is the leader; others wait for its result or their context.
// fn's recheck argument is true when some flight finished since epoch (read
// before the caller's own look-up missed): the value may be stored by now.
func (g *group[T]) do(ctx context.Context, key string, epoch uint64, fn func(c *call[T], recheck bool) (T, error)) (v T, err error, leader bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[string]*call[T])
	}
	if c, ok := g.m[key]; ok {
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err, false
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err(), false
		}
	}
	c := &call[T]{done: make(chan struct{})}
	g.m[key] = c
	g.active.Add(1)
	g.mu.Unlock()

	normal := false
	defer func() {
		if !normal {
			// fn panicked or called runtime.Goexit: release the waiters
			// with an error, then let the panic go on in the leader.
			r := recover()
			c.err = fmt.Errorf("%w: %v", ErrLoaderPanic, r)
			g.finish(key, c)
			if r != nil {
				panic(r)
			}
		}
	}()
	c.val, c.err = fn(c, g.finished.Load() != epoch)
	normal = true
	g.finish(key, c)
	return c.val, c.err, true
}

func (g *group[T]) finish(key string, c *call[T]) {
	g.mu.Lock()
	if g.m[key] == c {
		delete(g.m, key)
	}
	g.active.Add(-1)
	g.finished.Add(1)
	g.mu.Unlock()
	close(c.done)
}

// markDirty tells an in-flight load of key not to store its result. It waits
// for a leader that is storing right now, so a writer that calls it before
// writing the cache always has the last word in this process.
func (g *group[T]) markDirty(key string) {
	if g.active.Load() == 0 {
		return // a flight starting from now on reads the source after the write
	}
	g.mu.Lock()
	c := g.m[key]
	g.mu.Unlock()
	if c != nil {
		c.mu.Lock()
		c.dirty = true
		c.mu.Unlock()
	}
}
