package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// WriteBehind buffers writes and hands them to a flush function in batches
// (write-behind, or write-back): a later write to a key replaces the earlier
// one still buffered, so each flush carries one value per key. Create one
// with [NewWriteBehind] and run it with [WriteBehind.Run]. It is safe for
// concurrent use.
//
// Flushes happen every [WithFlushInterval], as soon as [WithBatchSize] keys
// are pending, and on [WriteBehind.Flush]. A failed flush is retried with
// exponential backoff ([WithRetryBackoff]); its writes are merged back into
// the buffer behind any newer write to the same key, so nothing is dropped.
//
// The buffer is bounded ([WithMaxPending] keys, those being flushed
// included). When it is full, [WriteBehind.Put] waits for room — the caller
// is slowed down to the pace of the flushes (back-pressure) — or, with
// [WithFailFast], returns [ErrBufferFull] at once.
//
// When Run's context ends, Run stops accepting writes ([ErrClosed]) and
// flushes everything still buffered, retrying for up to
// [WithShutdownTimeout]. Writes that could still not be flushed are reported
// in Run's error, never lost silently.
type WriteBehind[K comparable, V any] struct {
	flush      func(context.Context, map[K]V) error
	interval   time.Duration
	batchSize  int
	maxPending int
	failFast   bool
	backoffMin time.Duration
	backoffMax time.Duration
	shutdown   time.Duration
	log        *zap.Logger

	flushed, failures prometheus.Counter

	mu       sync.Mutex
	pending  map[K]V
	inflight int
	room     chan struct{} // closed and replaced when room may have appeared
	closed   bool

	kick    chan struct{}
	flushMu sync.Mutex // one flush at a time
	running atomic.Bool
}

// NewWriteBehind returns a write-behind buffer that calls flush with batches
// of buffered writes. flush must be safe to call again with the same writes
// after it failed (they are retried). Options: [WithFlushInterval] (default
// 1s), [WithBatchSize] (default 100), [WithMaxPending] (default 10,000),
// [WithFailFast], [WithRetryBackoff] (default 100ms to 10s),
// [WithShutdownTimeout] (default 30s), [WithLogger], [WithMetrics] and
// [WithName].
func NewWriteBehind[K comparable, V any](flush func(ctx context.Context, batch map[K]V) error, opts ...Option) (*WriteBehind[K, V], error) {
	if flush == nil {
		return nil, fmt.Errorf("%w: nil flush function", ErrInvalidOption)
	}
	cfg, err := buildConfig(kWriteBehind, config{
		interval: time.Second, batchSize: 100, maxPending: 10_000,
		backoffMin: 100 * time.Millisecond, backoffMax: 10 * time.Second, shutdownTimeout: 30 * time.Second,
	}, opts)
	if err != nil {
		return nil, err
	}
	w := &WriteBehind[K, V]{
		flush: flush, interval: cfg.interval, batchSize: cfg.batchSize, maxPending: cfg.maxPending,
		failFast: cfg.failFast, backoffMin: cfg.backoffMin, backoffMax: cfg.backoffMax,
		shutdown: cfg.shutdownTimeout, log: cfg.logger,
		pending: make(map[K]V), room: make(chan struct{}), kick: make(chan struct{}, 1),
	}
	if w.flushed, err = counter(cfg.reg, cfg.name, "write_behind_flushed_total", "Writes flushed by a write-behind buffer."); err != nil {
		return nil, fmt.Errorf("cache: metrics: %w", err)
	}
	if w.failures, err = counter(cfg.reg, cfg.name, "write_behind_flush_failures_total", "Failed write-behind flush calls."); err != nil {
		return nil, fmt.Errorf("cache: metrics: %w", err)
	}
	return w, nil
}

// Put buffers v as the value to write for k. A nil error means the write is
// accepted and will be flushed. It returns [ErrClosed] once Run is shutting
// down, [ErrBufferFull] when full with [WithFailFast], or ctx's error when
// ctx ends while waiting for room.
func (w *WriteBehind[K, V]) Put(ctx context.Context, k K, v V) error {
	w.mu.Lock()
	for {
		if w.closed {
			w.mu.Unlock()
			return ErrClosed
		}
		if _, ok := w.pending[k]; ok {
			w.pending[k] = v
			w.mu.Unlock()
			return nil
		}
		if len(w.pending)+w.inflight < w.maxPending {
			w.pending[k] = v
			if len(w.pending) >= w.batchSize {
				select {
				case w.kick <- struct{}{}:
				default:
				}
			}
			w.mu.Unlock()
			return nil
		}
		if w.failFast {
			w.mu.Unlock()
			return ErrBufferFull
		}
		room := w.room
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-room:
		}
		w.mu.Lock()
	}
}

// Pending returns the number of buffered keys, those being flushed included.
func (w *WriteBehind[K, V]) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending) + w.inflight
}

// wake tells waiting Puts that room may have appeared. w.mu must be held.
func (w *WriteBehind[K, V]) wake() {
	close(w.room)
	w.room = make(chan struct{})
}

// flushBatch flushes up to batchSize pending keys once. It reports whether
// anything was pending.
func (w *WriteBehind[K, V]) flushBatch(ctx context.Context) (bool, error) {
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.mu.Unlock()
		return false, nil
	}
	batch := make(map[K]V, min(len(w.pending), w.batchSize))
	for k, v := range w.pending {
		batch[k] = v
		delete(w.pending, k)
		if len(batch) == w.batchSize {
			break
		}
	}
	w.inflight += len(batch)
	w.mu.Unlock()

	err := w.callFlush(ctx, batch)

	w.mu.Lock()
	w.inflight -= len(batch)
	if err != nil {
		for k, v := range batch {
			if _, newer := w.pending[k]; !newer {
				w.pending[k] = v
			}
		}
	}
	w.wake()
	w.mu.Unlock()
	if err != nil {
		inc(w.failures)
	} else if w.flushed != nil {
		w.flushed.Add(float64(len(batch)))
	}
	return true, err
}

// callFlush calls the flush function, turning a panic into an error.
func (w *WriteBehind[K, V]) callFlush(ctx context.Context, batch map[K]V) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cache: write-behind flush panicked: %v", r)
		}
	}()
	return w.flush(ctx, batch)
}

// flushAll flushes batches until nothing is pending, one fails, or ctx ends
// (then what is left is for the final flush).
func (w *WriteBehind[K, V]) flushAll(ctx context.Context) error {
	for ctx.Err() == nil {
		more, err := w.flushBatch(ctx)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return ctx.Err()
}

// Flush flushes everything buffered now, once, without retrying. A failure
// is returned wrapped in [ErrFlushFailed]; the writes stay buffered.
func (w *WriteBehind[K, V]) Flush(ctx context.Context) error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	if err := w.flushAll(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrFlushFailed, err)
	}
	return nil
}

// Run flushes on the interval and on full batches until ctx ends, then
// stops accepting writes and flushes everything buffered (see
// [WriteBehind]). It returns nil when every accepted write was flushed, or
// an error wrapping [ErrFlushFailed] that says how many were not. Run may be
// called once.
func (w *WriteBehind[K, V]) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("cache: WriteBehind.Run called twice")
	}
	ticker := time.NewTicker(w.interval)
	defer ticker.Stop()
	backoff := w.backoffMin
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			continue
		case <-ticker.C:
		case <-w.kick:
		}
		w.flushMu.Lock()
		err := w.flushAll(ctx)
		w.flushMu.Unlock()
		if err == nil {
			backoff = w.backoffMin
			continue
		}
		if ctx.Err() != nil {
			break // shutting down: the final flush takes over
		}
		w.log.Warn("cache: write-behind flush failed, retrying", zap.Duration("backoff", backoff), zap.Error(err))
		if !sleepCtx(ctx, backoff) {
			break
		}
		backoff = min(2*backoff, w.backoffMax)
		select { // retry at once rather than at the next tick
		case w.kick <- struct{}{}:
		default:
		}
	}
	return w.drain(ctx)
}

// drain closes the buffer and flushes it, retrying until the shutdown
// timeout.
func (w *WriteBehind[K, V]) drain(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.wake()
	w.mu.Unlock()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.shutdown)
	defer cancel()
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	backoff := w.backoffMin
	for {
		err := w.flushAll(sctx)
		if err == nil {
			return nil
		}
		w.log.Warn("cache: write-behind final flush failed, retrying", zap.Duration("backoff", backoff), zap.Error(err))
		if !sleepCtx(sctx, backoff) {
			n := w.Pending()
			w.log.Error("cache: write-behind gave up; writes not flushed", zap.Int("writes", n), zap.Error(err))
			return fmt.Errorf("%w: %d writes not flushed: %w", ErrFlushFailed, n, err)
		}
		backoff = min(2*backoff, w.backoffMax)
	}
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
