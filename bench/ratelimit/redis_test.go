package ratelimitbench

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/gokeel/keel/ratelimit"
	"github.com/redis/go-redis/v9"
)

// goroutines is the concurrency of the Redis benchmarks: 64 on any
// GOMAXPROCS (RunParallel starts parallelism*GOMAXPROCS goroutines).
const goroutines = 64

func redisClient(b *testing.B) *redis.Client {
	addr := os.Getenv("KEEL_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, PoolSize: goroutines})
	if err := c.Ping(ctx).Err(); err != nil {
		b.Skipf("redis at %s: %v", addr, err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

func uniquePrefix() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return "keelbench:" + hex.EncodeToString(r[:]) + ":"
}

func parallelism() int {
	return max(goroutines/testingProcs(), 1)
}

// redisAllow returns each library's Allow on Redis for the limit.
func redisPeers(b *testing.B, c *redis.Client, ls limitSpec) map[string]allowFunc {
	keel, err := ratelimit.NewRedis(c, ratelimit.Per(ls.events, ls.period),
		ratelimit.WithPrefix(uniquePrefix()), ratelimit.WithTimeout(5*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	rr := redis_rate.NewLimiter(c)
	rrLimit := redis_rate.Limit{Rate: ls.events, Burst: ls.events, Period: ls.period}
	rrPrefix := uniquePrefix()
	return map[string]allowFunc{
		"keel": func(key string) bool {
			res, err := keel.Allow(ctx, key)
			if err != nil {
				b.Error(err)
			}
			return res.Allowed
		},
		"redis_rate": func(key string) bool {
			res, err := rr.Allow(ctx, rrPrefix+key, rrLimit)
			if err != nil {
				b.Error(err)
				return false
			}
			return res.Allowed > 0
		},
	}
}

// BenchmarkRedisAllow: 64 goroutines over 10,000 keys, every request
// allowed; one round trip per decision for both libraries.
func BenchmarkRedisAllow(b *testing.B) {
	keys := ipKeys(10_000)
	for _, lib := range []string{"keel", "redis_rate"} {
		b.Run("lib="+lib, func(b *testing.B) {
			c := redisClient(b)
			allow := redisPeers(b, c, fast)[lib]
			var seq atomic.Uint64
			b.SetParallelism(parallelism())
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := seq.Add(7919) * 7919
				for pb.Next() {
					i++
					allow(keys[i%uint64(len(keys))])
				}
			})
		})
	}
}

// BenchmarkRedisAbusive: 64 goroutines send requests to 100 keys whose
// limit is 100 a day. Run with -benchtime=100000x: each key receives 1,000
// requests, 90% of them over the limit. The "admitted" metric is the total
// admitted in the run, which must be the same for both libraries (10,000).
func BenchmarkRedisAbusive(b *testing.B) {
	const nkeys = 100
	keys := ipKeys(nkeys)
	for _, lib := range []string{"keel", "redis_rate"} {
		b.Run("lib="+lib, func(b *testing.B) {
			c := redisClient(b)
			allow := redisPeers(b, c, limitSpec{100, 24 * time.Hour})[lib]
			var seq, admitted atomic.Int64
			b.SetParallelism(parallelism())
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if allow(keys[seq.Add(1)%nkeys]) {
						admitted.Add(1)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(admitted.Load()), "admitted")
		})
	}
}
