package cron_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/internal/testenv"
)

// skewClock is the system clock off by a fixed amount, as on a host whose
// clock lags or leads.
type skewClock struct{ skew time.Duration }

func (c skewClock) Now() time.Time { return time.Now().Add(c.skew) }
func (c skewClock) AfterFunc(d time.Duration, f func()) cron.Timer {
	return time.AfterFunc(d, f)
}

// TestDistributedExactlyOnce runs three scheduler processes on one real
// Redis, with clocks 300ms apart and start jitter, sharing an "@every 1s"
// job: every tick in a 20-second window (from 2.5-3.5s after the start, when all
// processes are up) must run exactly once in total, and no tick ever twice.
func TestDistributedExactlyOnce(t *testing.T) {
	if testenv.IsChild() {
		t.Skip("parent test")
	}
	rdb := testenv.RealRedis(t)
	prefix := testenv.Name("cronmp")
	ctx := context.Background()
	t.Cleanup(func() { rdb.Del(ctx, prefix+":runs", prefix+":held") })

	start := time.Now()
	stop := start.Add(24500 * time.Millisecond)
	skews := []time.Duration{0, -300 * time.Millisecond, 300 * time.Millisecond}
	type child struct {
		out  bytes.Buffer
		done chan error
	}
	children := make([]*child, len(skews))
	for i, skew := range skews {
		c := &child{done: make(chan error, 1)}
		cmd := testenv.Command(t, "TestHelperCronProcess", fmt.Sprintf("%s|%d|%d", prefix, stop.UnixMilli(), skew.Milliseconds()))
		cmd.Stdout, cmd.Stderr = &c.out, &c.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { c.done <- cmd.Wait() }()
		children[i] = c
	}
	for i, c := range children {
		select {
		case err := <-c.done:
			if err != nil {
				t.Fatalf("process %d: %v\n%s", i, err, c.out.String())
			}
		case <-time.After(time.Until(stop) + 20*time.Second):
			t.Fatalf("process %d did not stop", i)
		}
	}

	runs, err := rdb.LRange(ctx, prefix+":runs", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	perTick := map[int64][]string{}
	perProcess := map[string]int{}
	for _, r := range runs {
		ms, pid, _ := strings.Cut(r, "|")
		v, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			t.Fatalf("bad record %q", r)
		}
		perTick[v] = append(perTick[v], pid)
		perProcess[pid]++
	}
	for tick, pids := range perTick {
		if len(pids) != 1 {
			t.Errorf("tick %v ran %d times (processes %v)", time.UnixMilli(tick).UTC(), len(pids), pids)
		}
		if tick%1000 != 0 {
			t.Errorf("tick %d is not on a whole second", tick)
		}
	}
	// Every tick once the processes are up, until shortly before they stop.
	n := 0
	for tick := start.Add(3500 * time.Millisecond).Truncate(time.Second); tick.Before(stop.Add(-time.Second)); tick = tick.Add(time.Second) {
		n++
		if len(perTick[tick.UnixMilli()]) != 1 {
			t.Errorf("tick %v ran %d times, want 1", tick.UTC(), len(perTick[tick.UnixMilli()]))
		}
	}
	if n < 20 {
		t.Fatalf("only %d ticks checked, want at least 20", n)
	}
	// The others did try: each tick is contended, the losers see lock_held.
	held, err := rdb.Get(ctx, prefix+":held").Int()
	if err != nil || held < n {
		t.Fatalf("%d lock_held skips (%v); want at least one per tick (%d)", held, err, n)
	}
	t.Logf("%d ticks checked, %d runs in total, %d lost races; runs per process: %v", n, len(runs), held, perProcess)
}

// TestHelperCronProcess is one scheduler process of
// TestDistributedExactlyOnce. Its argument is "prefix|stopUnixMilli|skewMilli".
func TestHelperCronProcess(t *testing.T) {
	if !testenv.IsChild() {
		t.Skip("helper process for TestDistributedExactlyOnce")
	}
	parts := strings.Split(testenv.ChildArg(), "|")
	if len(parts) != 3 {
		t.Fatalf("bad argument %q", testenv.ChildArg())
	}
	prefix := parts[0]
	stopMs, _ := strconv.ParseInt(parts[1], 10, 64)
	skewMs, _ := strconv.ParseInt(parts[2], 10, 64)
	rdb := testenv.RealRedis(t)
	locker, err := cron.NewRedisLocker(rdb, cron.WithKeyPrefix(prefix+":lock:"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := cron.New(cron.WithLocker(locker), cron.WithClock(skewClock{time.Duration(skewMs) * time.Millisecond}),
		cron.WithHook(func(e cron.Event) {
			if e.Kind == cron.EventSkip && e.Reason == cron.ReasonLockHeld {
				rdb.Incr(context.Background(), prefix+":held")
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	err = s.Add("tick", "@every 1s", func(ctx context.Context) error {
		fire, ok := cron.FireTime(ctx)
		if !ok {
			return fmt.Errorf("no fire time")
		}
		return rdb.RPush(ctx, prefix+":runs", fmt.Sprintf("%d|%s", fire.UnixMilli(), pid)).Err()
	}, cron.WithJitter(500*time.Millisecond), cron.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.UnixMilli(stopMs))
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
}
