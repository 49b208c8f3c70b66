package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel/cache"
)

// sink records flushed writes; every failEvery-th call fails.
type sink struct {
	mu        sync.Mutex
	got       map[string]int
	calls     int
	failEvery int
	maxBatch  int
}

func (s *sink) flush(_ context.Context, batch map[string]int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failEvery > 0 && s.calls%s.failEvery == 0 {
		return errors.New("transient")
	}
	s.maxBatch = max(s.maxBatch, len(batch))
	for k, v := range batch {
		s.got[k] = v
	}
	return nil
}

func TestWriteBehindFlushesEveryAcceptedWrite(t *testing.T) {
	t.Parallel()
	s := &sink{got: map[string]int{}, failEvery: 3}
	wb, err := cache.NewWriteBehind(s.flush,
		cache.WithFlushInterval(5*time.Millisecond), cache.WithBatchSize(50),
		cache.WithMaxPending(200), cache.WithRetryBackoff(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- wb.Run(ctx) }()

	var mu sync.Mutex
	accepted := map[string]int{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				k := fmt.Sprintf("k%d", (g*300+i)%1000) // overlapping keys coalesce
				v := g*10000 + i
				mu.Lock() // Put under the lock so "last accepted" is well defined
				err := wb.Put(context.Background(), k, v)
				if err == nil {
					accepted[k] = v
				}
				mu.Unlock()
				if errors.Is(err, cache.ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				if g == 0 && i == 150 {
					cancel() // shut down while writes are still arriving
				}
			}
		}()
	}
	wg.Wait()
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := wb.Put(context.Background(), "late", 1); !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("Put after Run = %v, want ErrClosed", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) != len(accepted) {
		t.Fatalf("flushed %d keys, accepted %d", len(s.got), len(accepted))
	}
	for k, v := range accepted {
		if s.got[k] != v {
			t.Fatalf("key %s: flushed %d, last accepted %d", k, s.got[k], v)
		}
	}
	if s.maxBatch > 50 {
		t.Fatalf("a batch of %d keys, want <= 50", s.maxBatch)
	}
	if wb.Pending() != 0 {
		t.Fatalf("Pending = %d after Run", wb.Pending())
	}
	t.Logf("%d accepted writes to %d keys, %d flush calls", len(accepted), len(s.got), s.calls)
}

func TestWriteBehindBackPressure(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	entered := make(chan struct{}, 10)
	flush := func(ctx context.Context, batch map[int]int) error {
		entered <- struct{}{}
		<-block
		return nil
	}
	wb, err := cache.NewWriteBehind(flush, cache.WithMaxPending(2), cache.WithBatchSize(2), cache.WithFlushInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = wb.Put(ctx, 1, 1)
	_ = wb.Put(ctx, 2, 2) // full batch: Run flushes and blocks in flush
	if err := wb.Put(ctx, 1, 10); err != nil {
		t.Fatalf("coalescing Put when full: %v", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- wb.Run(runCtx) }()
	<-entered
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := wb.Put(short, 3, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put on a full buffer = %v, want to wait until its context ends", err)
	}
	putDone := make(chan error, 1)
	go func() { putDone <- wb.Put(ctx, 3, 3) }()
	close(block) // the flush completes: room appears
	if err := <-putDone; err != nil {
		t.Fatalf("blocked Put after room appeared: %v", err)
	}
	stop()
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}

	ff, _ := cache.NewWriteBehind(flushNop, cache.WithMaxPending(1), cache.WithFailFast())
	_ = ff.Put(ctx, "a", 1)
	if err := ff.Put(ctx, "b", 2); !errors.Is(err, cache.ErrBufferFull) {
		t.Fatalf("fail-fast Put = %v, want ErrBufferFull", err)
	}
}

func TestWriteBehindGivesUpLoudly(t *testing.T) {
	t.Parallel()
	wb, _ := cache.NewWriteBehind(func(context.Context, map[string]int) error { return errors.New("down") },
		cache.WithRetryBackoff(time.Millisecond, time.Millisecond), cache.WithShutdownTimeout(20*time.Millisecond))
	_ = wb.Put(context.Background(), "a", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := wb.Run(ctx)
	if !errors.Is(err, cache.ErrFlushFailed) || wb.Pending() != 1 {
		t.Fatalf("Run = %v with %d pending; want ErrFlushFailed and the write kept", err, wb.Pending())
	}
	if err := wb.Flush(context.Background()); !errors.Is(err, cache.ErrFlushFailed) {
		t.Fatalf("Flush = %v", err)
	}
}

func TestWriteBehindFlushAndPanic(t *testing.T) {
	t.Parallel()
	calls := 0
	wb, _ := cache.NewWriteBehind(func(_ context.Context, b map[string]int) error {
		calls++
		if calls == 1 {
			panic("flush bug")
		}
		return nil
	})
	_ = wb.Put(context.Background(), "a", 1)
	if err := wb.Flush(context.Background()); !errors.Is(err, cache.ErrFlushFailed) {
		t.Fatalf("Flush with a panicking flush func = %v", err)
	}
	if err := wb.Flush(context.Background()); err != nil || wb.Pending() != 0 {
		t.Fatalf("second Flush = %v, pending %d", err, wb.Pending())
	}
}
