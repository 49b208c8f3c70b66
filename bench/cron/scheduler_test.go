package cronbench

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/cron/crontest"
)

// phased fires every period, offset by phase from the Unix epoch.
type phased struct{ period, phase int64 }

func (p phased) Next(t time.Time) time.Time {
	u := t.Unix() - p.phase
	q := u / p.period
	if u < 0 && u%p.period != 0 {
		q--
	}
	return time.Unix((q+1)*p.period+p.phase, 0).UTC()
}

func (p phased) Prev(t time.Time) time.Time {
	return p.Next(t.Add(-time.Duration(p.period+1) * time.Second)) // good enough for a benchmark
}

// BenchmarkSchedulerFire measures one fire of a scheduler holding n jobs,
// end to end: the timer fires, the scheduler pops the due entry from its
// heap, computes its next time, takes the (local) lease, runs the job in a
// goroutine, and re-arms its timer. Job i fires at second i of an n-second
// period, so exactly one job is due per second of fake time. A per-fire
// cost that stays flat from 1k to 100k entries is the O(log n) heap at work;
// a sort of all entries per tick would grow 100 times.
func BenchmarkSchedulerFire(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			start := time.Unix(1_800_000_000-1_800_000_000%int64(n), 0).UTC() // job 0 fires at start
			clk := crontest.NewClock(start.Add(-time.Second))
			s, err := cron.New(cron.WithClock(clk), cron.WithLocation(time.UTC))
			if err != nil {
				b.Fatal(err)
			}
			ran := make(chan struct{}, 1)
			job := func(context.Context) error { ran <- struct{}{}; return nil }
			for i := 0; i < n; i++ {
				// Allow: on a loaded machine the goroutine of a run
				// 1,000 fires ago may not have finished its bookkeeping
				// yet, and the default policy would skip this run.
				if err := s.AddSchedule(fmt.Sprintf("job-%d", i), phased{int64(n), int64(i)}, job, cron.WithOverlap(cron.OverlapAllow)); err != nil {
					b.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- s.Run(ctx) }()
			at := start
			runtime.GC() // not charged to the first fires
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clk.Set(at)
				<-ran
				at = at.Add(time.Second)
			}
			b.StopTimer()
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
