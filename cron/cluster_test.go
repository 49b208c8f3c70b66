package cron_test

import (
	"testing"

	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/cron/crontest"
	"github.com/gokeel/keel/internal/testenv"
)

// The Redis locker's scripts touch one key each, so they run on Cluster.
func TestRedisLockerOnCluster(t *testing.T) {
	t.Parallel()
	c := testenv.StartRedisCluster(t)
	prefix := testenv.Name("cron") + ":"
	crontest.Run(t, func(t *testing.T) cron.Locker {
		l, err := cron.NewRedisLocker(c, cron.WithKeyPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
