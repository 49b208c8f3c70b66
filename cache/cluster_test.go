package cache_test

import (
	"testing"

	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/cache/cachetest"
	"github.com/gokeel/keel/internal/testenv"
)

// TestRedisClusterConformance runs the store suite on a three-master Redis
// Cluster, for the Redis store and the tiered store: batch operations span
// slots, so they must not send multi-key commands across them.
func TestRedisClusterConformance(t *testing.T) {
	c := testenv.StartRedisCluster(t)
	t.Run("Redis", func(t *testing.T) {
		cachetest.Run(t, func(t *testing.T) cache.Store {
			s, err := cache.NewRedis(c, cache.WithPrefix(testenv.Name("keeltest:")+":"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("Tiered", func(t *testing.T) {
		cachetest.Run(t, func(t *testing.T) cache.Store {
			return newTiered(t, c, testenv.Name("keeltest:")+":")
		})
	})
}
