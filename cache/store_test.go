package cache_test

import (
	"testing"

	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/cache/cachetest"
	"github.com/gokeel/keel/internal/testenv"
)

func TestMemoryConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Store {
		m, err := cache.NewMemory()
		if err != nil {
			t.Fatal(err)
		}
		return m
	})
}

func TestMemoryBytesBoundConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Store {
		m, err := cache.NewMemory(cache.WithMaxBytes(8<<20), cache.WithShards(2))
		if err != nil {
			t.Fatal(err)
		}
		return m
	})
}

func TestRedisConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cache.Store {
		r, err := cache.NewRedis(testenv.Redis(t), cache.WithPrefix(testenv.Name("keeltest:")+":"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}
