package cron_test

import (
	"context"
	"testing"
	"time"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/internal/testenv"
)

// With its Redis down, a scheduler skips ticks (lock_error) rather than run
// them unguarded, and runs again once Redis is back.
func TestRedisOutageSkipsTicksThenRecovers(t *testing.T) {
	t.Parallel()
	srv := testenv.StartRedisServer(t)
	rdb := srv.Client()
	locker, err := cron.NewRedisLocker(rdb, cron.WithKeyPrefix(testenv.Name("cron")+":"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, t0, cron.WithLocker(locker))
	mustAdd(t, h.s, "j", "* * * * *", okJob)
	h.run()

	t1 := t0.Add(time.Minute)
	h.fireAt(t1)
	h.expect(cron.EventStart, "j", t1)
	h.expect(cron.EventFinish, "j", t1)

	srv.Stop()
	t2 := t0.Add(2 * time.Minute)
	h.fireAt(t2)
	e := h.next()
	if e.Kind != cron.EventSkip || e.Reason != cron.ReasonLockError || e.Err == nil {
		t.Fatalf("with Redis down: %v %s %v, want a lock_error skip", e.Kind, e.Reason, e.Err)
	}

	srv.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	t3 := t0.Add(3 * time.Minute)
	h.fireAt(t3)
	h.expect(cron.EventStart, "j", t3)
	h.expect(cron.EventFinish, "j", t3)
}
