package ratelimitbench

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/gokeel/keel/ratelimit"
	"github.com/redis/go-redis/v9"
)

// TestRedisServerCost measures the Redis server's CPU time per decision
// (INFO commandstats, usec_per_call of EVALSHA) for each library, on a
// private redis-server, which is far less noisy than wall-clock throughput
// on a shared machine. Run with -v to see the figures.
func TestRedisServerCost(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	srv := testenv.StartRedisServer(t)
	c := srv.Client()
	keys := ipKeys(1000)
	const calls = 20_000
	keel, err := ratelimit.NewRedis(c, ratelimit.Per(events, period), ratelimit.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	rr := redis_rate.NewLimiter(c)
	libs := map[string]func(string){
		"keel": func(k string) {
			if _, err := keel.Allow(ctx, k); err != nil {
				t.Fatal(err)
			}
		},
		"redis_rate": func(k string) {
			if _, err := rr.Allow(ctx, "rr:"+k, redis_rate.Limit{Rate: events, Burst: events, Period: period}); err != nil {
				t.Fatal(err)
			}
		},
	}
	for _, name := range []string{"keel", "redis_rate"} {
		allow := libs[name]
		allow("warm") // loads the script
		if err := c.ConfigResetStat(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			allow(keys[i%len(keys)])
		}
		us, n := evalshaCost(t, c)
		t.Logf("%-10s EVALSHA calls=%d usec_per_call=%.2f", name, n, us)
		if n != calls {
			t.Errorf("%s: %d EVALSHA calls, want %d (one round trip per decision)", name, n, calls)
		}
	}
}

func evalshaCost(t *testing.T, c *redis.Client) (usPerCall float64, calls int) {
	info, err := c.Info(ctx, "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_evalsha:")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "calls":
				calls, _ = strconv.Atoi(v)
			case "usec_per_call":
				usPerCall, _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return usPerCall, calls
}
