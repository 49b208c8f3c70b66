package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeel/keel/internal/testenv"
	"github.com/gokeel/keel/ratelimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestRedisKeyIsPrefixedAndExpires(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	prefix := testenv.Name("keeltest:rl:") + ":"
	l := checked(ratelimit.NewRedis(rdb, ratelimit.PerMinute(60, ratelimit.Burst(10)), ratelimit.WithPrefix(prefix)))(t)
	if _, err := l.AllowN(ctx, "{user}:1", 3); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != prefix+"{user}:1" {
		t.Fatalf("keys = %q, want exactly [%q]", keys, prefix+"{user}:1")
	}
	ttl, err := rdb.PTTL(ctx, keys[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	// 3 events at 1/s: the bucket is full again in 3s, and so the key
	// expires (allowing a second for a slow machine between the calls).
	if ttl <= time.Second || ttl > 3*time.Second {
		t.Fatalf("PTTL = %v, want in (1s, 3s]", ttl)
	}
}

// TestRedisRefillFollowsStoredTime drives the GCRA state directly instead
// of sleeping: moving the stored arrival time into the past refills.
func TestRedisRefillFollowsStoredTime(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	prefix := testenv.Name("keeltest:rl:") + ":"
	l := checked(ratelimit.NewRedis(rdb, ratelimit.PerHour(4), ratelimit.WithPrefix(prefix), ratelimit.WithLocalDenyCache(false)))(t)
	if res, _ := l.AllowN(ctx, "k", 4); !res.Allowed {
		t.Fatal("burst denied")
	}
	res, err := l.Allow(ctx, "k")
	if err != nil || res.Allowed {
		t.Fatalf("past the burst: %+v, %v", res, err)
	}
	// One event per 15 minutes: the next one is due in 15 minutes.
	if res.RetryAfter < 14*time.Minute || res.RetryAfter > 15*time.Minute {
		t.Fatalf("RetryAfter = %v, want about 15m", res.RetryAfter)
	}
	if res.ResetAfter < 59*time.Minute || res.ResetAfter > time.Hour {
		t.Fatalf("ResetAfter = %v, want about 1h", res.ResetAfter)
	}
	// Pretend 30 minutes passed: the stored time moves back by 30 minutes.
	tat, err := rdb.Get(ctx, prefix+"k").Int64()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, prefix+"k", tat-int64(30*time.Minute/time.Microsecond), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if res, _ := l.AllowN(ctx, "k", 2); !res.Allowed || res.Remaining != 0 {
		t.Fatalf("after 30 minutes: %+v, want 2 allowed and 0 remaining", res)
	}
}

// TestRedisSkewedClocksAgree: instances whose clocks disagree by hours
// share one limit, because time comes from Redis.
func TestRedisSkewedClocksAgree(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	prefix := testenv.Name("keeltest:rl:") + ":"
	var limiters []*ratelimit.Redis
	for _, skew := range []time.Duration{-3 * time.Hour, 0, 5 * time.Hour} {
		clk := func() time.Time { return time.Now().Add(skew) }
		limiters = append(limiters, checked(ratelimit.NewRedis(rdb, ratelimit.PerHour(10),
			ratelimit.WithPrefix(prefix), ratelimit.WithClock(clk)))(t))
	}
	admitted := 0
	for i := range 60 {
		res, err := limiters[i%3].Allow(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if res.Allowed {
			admitted++
		}
	}
	if admitted != 10 {
		t.Fatalf("admitted %d across skewed instances, want 10", admitted)
	}
}

// countingHook counts commands sent to Redis.
type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestRedisLocalDenyCache(t *testing.T) {
	t.Parallel()
	for _, cache := range []bool{true, false} {
		t.Run("cache="+strconv.FormatBool(cache), func(t *testing.T) {
			t.Parallel()
			rdb := testenv.Redis(t)
			hook := &countingHook{}
			rdb.AddHook(hook)
			clk := newFakeClock()
			l := checked(ratelimit.NewRedis(rdb, ratelimit.Per(3, 24*time.Hour), ratelimit.WithClock(clk.Now),
				ratelimit.WithPrefix(testenv.Name("keeltest:rl:")+":"), ratelimit.WithLocalDenyCache(cache)))(t)
			for range 3 {
				if res, err := l.Allow(ctx, "k"); err != nil || !res.Allowed {
					t.Fatalf("within the limit: %+v, %v", res, err)
				}
			}
			first, err := l.Allow(ctx, "k")
			if err != nil || first.Allowed {
				t.Fatalf("past the limit: %+v, %v", first, err)
			}
			before := hook.n.Load()
			for range 100 {
				res, err := l.Allow(ctx, "k")
				if err != nil || res.Allowed {
					t.Fatalf("past the limit: %+v, %v", res, err)
				}
				if res.RetryAfter <= 0 || res.RetryAfter > first.RetryAfter || res.Limit != 3 {
					t.Fatalf("denial %+v, first denial %+v", res, first)
				}
			}
			trips := hook.n.Load() - before
			if cache && trips != 0 {
				t.Fatalf("%d round trips for 100 locally known denials, want 0", trips)
			}
			if !cache && trips != 100 {
				t.Fatalf("%d round trips without the cache, want 100", trips)
			}
			// Other keys are not affected.
			if res, _ := l.Allow(ctx, "other"); !res.Allowed {
				t.Fatal("another key denied")
			}
			// Once the local deadline passes, Redis is asked again (and,
			// real time having not moved, still denies).
			clk.Advance(first.RetryAfter)
			before = hook.n.Load()
			if res, _ := l.Allow(ctx, "k"); res.Allowed {
				t.Fatal("allowed: Redis time did not move")
			}
			if trips := hook.n.Load() - before; trips != 1 {
				t.Fatalf("%d round trips after the local denial expired, want 1", trips)
			}
		})
	}
}

// TestRedisFailurePolicy kills a real Redis server mid-test.
func TestRedisFailurePolicy(t *testing.T) {
	t.Parallel()
	for _, open := range []bool{true, false} {
		t.Run("open="+strconv.FormatBool(open), func(t *testing.T) {
			t.Parallel()
			srv := testenv.StartRedisServer(t)
			reg := prometheus.NewRegistry()
			core, logs := observer.New(zap.WarnLevel)
			clk := newFakeClock()
			opts := []ratelimit.Option{ratelimit.WithMetrics(reg), ratelimit.WithLogger(zap.New(core)),
				ratelimit.WithName("api"), ratelimit.WithTimeout(500 * time.Millisecond),
				ratelimit.WithClock(clk.Now)} // frozen: the log throttle sees one instant
			if open {
				opts = append(opts, ratelimit.WithFailOpen())
			} else {
				opts = append(opts, ratelimit.WithFailClosed())
			}
			client := srv.Client()
			if err := client.Ping(ctx).Err(); err != nil { // dial before the clock matters
				t.Fatal(err)
			}
			l := checked(ratelimit.NewRedis(client, ratelimit.Per(2, 24*time.Hour), opts...))(t)

			if res, err := l.AllowN(ctx, "spent", 2); err != nil || !res.Allowed {
				t.Fatalf("before the outage: %+v, %v", res, err)
			}
			if res, err := l.Allow(ctx, "spent"); err != nil || res.Allowed {
				t.Fatalf("before the outage, past the limit: %+v, %v", res, err)
			}

			srv.Stop()
			for range 3 {
				start := time.Now()
				res, err := l.Allow(ctx, "fresh")
				if !errors.Is(err, ratelimit.ErrUnavailable) {
					t.Fatalf("Redis down: err = %v, want ErrUnavailable", err)
				}
				if res.Allowed != open {
					t.Fatalf("Redis down, fail open %v: allowed = %v", open, res.Allowed)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Fatalf("a failed decision took %v", d)
				}
			}
			// A key Redis denied is still denied locally during the outage.
			if res, err := l.Allow(ctx, "spent"); err != nil || res.Allowed {
				t.Fatalf("locally denied key during the outage: %+v, %v", res, err)
			}
			if got := counter(t, reg, "api", "error"); got != 3 {
				t.Errorf("error count = %v, want 3", got)
			}
			if logs.Len() != 1 {
				t.Errorf("%d warnings logged for 3 failures within a second, want 1", logs.Len())
			}

			srv.Start()
			// Until the failure cooldown ends, the policy still decides.
			if _, err := l.Allow(ctx, "fresh"); !errors.Is(err, ratelimit.ErrUnavailable) {
				t.Fatalf("during the cooldown: err = %v, want ErrUnavailable", err)
			}
			clk.Advance(ratelimit.DefaultFailureCooldown)
			var err error
			for range 10 { // the client drops dead connections and redials
				if _, err = l.Allow(ctx, "fresh"); err == nil {
					break
				}
				clk.Advance(ratelimit.DefaultFailureCooldown) // a failed probe starts a new cooldown
			}
			if err != nil {
				t.Fatalf("after Redis returned: %v", err)
			}
			if res, err := l.Allow(ctx, "fresh"); err != nil || !res.Allowed {
				t.Fatalf("after Redis returned: %+v, %v", res, err)
			}
			if res, err := l.Allow(ctx, "fresh"); err != nil || res.Allowed {
				t.Fatalf("after Redis returned, limiting resumed: want denied, got %+v, %v", res, err)
			}
		})
	}
}

func counter(t *testing.T, reg *prometheus.Registry, limiter, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "keel_ratelimit_decisions_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			if labels["limiter"] == limiter && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

const helperLimit = 100

// TestRedisSharedAcrossProcesses starts three OS processes that race on
// one key of a real Redis: together they admit exactly the limit.
func TestRedisSharedAcrossProcesses(t *testing.T) {
	t.Parallel()
	testenv.RealRedis(t)
	prefix := testenv.Name("keeltest:rl:") + ":"
	var wg sync.WaitGroup
	counts := make([]int, 3)
	errs := make([]error, 3)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := testenv.Command(t, "TestRedisHelperProcess", prefix).Output()
			if err != nil {
				errs[i] = fmt.Errorf("child %d: %w: %s", i, err, out)
				return
			}
			_, after, ok := strings.Cut(string(out), "admitted=")
			if !ok {
				errs[i] = fmt.Errorf("child %d: no count in output %q", i, out)
				return
			}
			counts[i], errs[i] = strconv.Atoi(strings.Fields(after)[0])
		}()
	}
	wg.Wait()
	total := 0
	for i := range counts {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += counts[i]
	}
	if total != helperLimit {
		t.Fatalf("three processes admitted %d in total (%v), want exactly %d", total, counts, helperLimit)
	}
	t.Logf("admitted per process: %v", counts)
}

// TestRedisHelperProcess is a child of TestRedisSharedAcrossProcesses.
func TestRedisHelperProcess(t *testing.T) {
	if !testenv.IsChild() {
		t.Skip("helper process")
	}
	l := checked(ratelimit.NewRedis(testenv.RealRedis(t), ratelimit.Per(helperLimit, 24*time.Hour),
		ratelimit.WithPrefix(testenv.ChildArg()), ratelimit.WithTimeout(10*time.Second)))(t)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				res, err := l.Allow(context.Background(), "shared")
				if err != nil {
					t.Error(err)
					return
				}
				if res.Allowed {
					admitted.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("admitted=%d\n", admitted.Load())
}

// TestRedisDefaultPrefixNamesTheLimit: without WithPrefix, limiters with
// the same limit share keys and limiters with different limits do not.
func TestRedisDefaultPrefixNamesTheLimit(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	key := testenv.Name("keeltest-default-prefix-")
	a1 := checked(ratelimit.NewRedis(rdb, ratelimit.Per(2, 24*time.Hour)))(t)
	a2 := checked(ratelimit.NewRedis(rdb, ratelimit.Per(2, 24*time.Hour)))(t)
	b := checked(ratelimit.NewRedis(rdb, ratelimit.Per(3, 24*time.Hour)))(t)
	t.Cleanup(func() {
		_ = rdb.Del(context.Background(), "ratelimit:2/24h0m0s/2:"+key, "ratelimit:3/24h0m0s/3:"+key).Err()
	})
	_, _ = a1.AllowN(ctx, key, 2)
	if res, _ := a2.Allow(ctx, key); res.Allowed {
		t.Fatal("two limiters with the same limit do not share the key")
	}
	if res, _ := b.AllowN(ctx, key, 3); !res.Allowed {
		t.Fatal("a limiter with another limit shares the key")
	}
	if n, err := rdb.Exists(ctx, "ratelimit:2/24h0m0s/2:"+key).Result(); err != nil || n != 1 {
		t.Fatalf("default key missing: %v %v", n, err)
	}
}

// TestRedisFullBurstWithFractionalInterval: a fresh key admits its whole
// burst at once even when the interval is not a whole number of
// microseconds (3600s/7), and the next event is denied.
func TestRedisFullBurstWithFractionalInterval(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	for _, lim := range []ratelimit.Limit{ratelimit.PerHour(7), ratelimit.PerSecond(3), ratelimit.Per(1000, 7*time.Second, ratelimit.Burst(999))} {
		l := checked(ratelimit.NewRedis(rdb, lim, ratelimit.WithPrefix(testenv.Name("keeltest:rl:")+":")))(t)
		for i := range 30 {
			key := strconv.Itoa(i)
			if res, err := l.AllowN(ctx, key, lim.BurstSize()); err != nil || !res.Allowed || res.Remaining != 0 {
				t.Fatalf("%v: fresh key %s, full burst: %+v, %v", lim, key, res, err)
			}
			if lim.Period >= time.Hour {
				if res, err := l.Allow(ctx, key); err != nil || res.Allowed {
					t.Fatalf("%v: past the burst: %+v, %v", lim, res, err)
				}
			}
		}
	}
}
