package cron_test

import (
	"testing"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/cron/crontest"
	"github.com/gokeel/keel/internal/testenv"
)

func TestLocalLocker(t *testing.T) {
	t.Parallel()
	crontest.Run(t, func(t *testing.T) cron.Locker { return cron.NewLocalLocker(nil) })
}

func TestRedisLocker(t *testing.T) {
	t.Parallel()
	// Real Redis only: lease expiry happens in the server's clock, which
	// miniredis does not advance on its own.
	rdb := testenv.RealRedis(t)
	prefix := testenv.Name("cron") + ":"
	crontest.Run(t, func(t *testing.T) cron.Locker {
		l, err := cron.NewRedisLocker(rdb, cron.WithKeyPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}

func TestNewRedisLockerRejectsBadConfig(t *testing.T) {
	t.Parallel()
	if _, err := cron.NewRedisLocker(nil); err == nil {
		t.Fatal("NewRedisLocker(nil) succeeded")
	}
	if _, err := cron.NewRedisLocker(testenv.Redis(t), cron.WithKeyPrefix("")); err == nil {
		t.Fatal("empty prefix accepted")
	}
}
