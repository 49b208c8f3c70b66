package ratelimit_test

import (
	"testing"
	"time"

	"github.com/gokeel/keel/internal/testenv"
	"github.com/gokeel/keel/ratelimit"
	"github.com/gokeel/keel/ratelimit/ratelimittest"
)

// TestRedisClusterConformance runs the suite on a three-master Redis
// Cluster: the GCRA script touches one key, so keys spread over every slot
// work without CROSSSLOT errors.
func TestRedisClusterConformance(t *testing.T) {
	c := testenv.StartRedisCluster(t)
	ratelimittest.Run(t, func(t *testing.T, l ratelimit.Limit) ratelimit.Limiter {
		return checked(ratelimit.NewRedis(c, l, ratelimit.WithPrefix(testenv.Name("keeltest:rl:")+":"), ratelimit.WithTimeout(time.Minute)))(t)
	})
}
