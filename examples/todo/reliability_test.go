package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gokeel/keel/internal/testenv"
)

// scrape sums the samples of metric name whose labels contain every one of
// labels, from the server's /metrics.
func (s *server) scrape(name string, labels ...string) float64 {
	s.t.Helper()
	resp, err := http.Get(s.admin + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		for _, l := range labels {
			if !strings.Contains(line, l) {
				continue next
			}
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		sum += v
	}
	return sum
}

// goroutines returns the process's goroutine count from pprof.
func (s *server) goroutines() int {
	s.t.Helper()
	resp, err := http.Get(s.admin + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n') // "goroutine profile: total N"
	n, _ := strconv.Atoi(strings.TrimSpace(line[strings.LastIndex(line, " ")+1:]))
	return n
}

// counts tallies one kind of request.
type counts struct{ sent, ok, failed atomic.Int64 }

func (c *counts) String() string {
	return fmt.Sprintf("%d sent, %d ok, %d failed", c.sent.Load(), c.ok.Load(), c.failed.Load())
}

// load runs workers calling fn until ctx ends; fn reports success.
func load(ctx context.Context, workers int, c *counts, fn func() bool) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c.sent.Add(1)
				if fn() {
					c.ok.Add(1)
				} else {
					c.failed.Add(1)
				}
			}
		}()
	}
	return &wg
}

// request sends one request and reports whether the status was want.
func request(method, url, token, body string, want int) bool {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == want
}

// TestRedisOutageUnderLoad stops Redis under load and starts it again:
// reads keep succeeding from the database, the limiter fails open, writes
// go on, and after Redis returns, limiting and cron locks use it again with
// no goroutine left behind.
func TestRedisOutageUnderLoad(t *testing.T) {
	rs := testenv.StartRedisServer(t)
	s := startServer(t, "REDIS_URL=redis://"+rs.Addr(), "API_RATE_PER_SECOND=1000000", "PURGE_SCHEDULE=@every 1s")
	tk := s.signup("outage@example.com")
	var td todo
	s.expect("POST", "/v1/todos", tk.AccessToken, map[string]string{"title": "survive"}, 201).json(t, &td)
	getURL := fmt.Sprintf("%s/v1/todos/%d", s.base, td.ID)

	phase := func(name string, d time.Duration) (reads, writes *counts) {
		reads, writes = new(counts), new(counts)
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		wr := load(ctx, 4, reads, func() bool { return request("GET", getURL, tk.AccessToken, "", 200) })
		ww := load(ctx, 1, writes, func() bool { return request("POST", s.base+"/v1/todos", tk.AccessToken, `{"title":"w"}`, 201) })
		wr.Wait()
		ww.Wait()
		t.Logf("%s: reads %s; writes %s", name, reads, writes)
		return reads, writes
	}
	phase("warm-up", 500*time.Millisecond)
	before := s.goroutines()

	r1, w1 := phase("redis up", time.Second)
	rs.Stop()
	r2, w2 := phase("redis down", 2*time.Second)
	rs.Start()
	phase("redis back", 2*time.Second)
	errsBack := s.scrape("keel_ratelimit_decisions_total", `limiter="api"`, `result="error"`)
	r3, w3 := phase("redis back, settled", time.Second)

	for _, c := range []*counts{r1, w1, r2, w2, r3, w3} {
		if c.failed.Load() != 0 || c.ok.Load() == 0 {
			t.Errorf("requests failed: %s", c)
		}
	}
	// The outage must not stall requests: a Redis call per request that waits
	// for a timeout would cut throughput by orders of magnitude.
	if upRate, downRate := float64(r1.ok.Load())/1, float64(r2.ok.Load())/2; downRate < upRate/10 {
		t.Errorf("reads/s fell from %.0f to %.0f while Redis was down", upRate, downRate)
	}
	if errsBack == 0 {
		t.Errorf("the limiter recorded no Redis errors during the outage")
	}
	// Limiting decides on Redis again: no more errors once it is back.
	if errs := s.scrape("keel_ratelimit_decisions_total", `limiter="api"`, `result="error"`); errs != errsBack {
		t.Errorf("limiter errors went on after Redis returned: %v then %v", errsBack, errs)
	}
	// Cron leases are taken in Redis again.
	rc := rs.Client()
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for {
		cr, _ := rc.Keys(ctx, "todo:cron:*").Result()
		if len(cr) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after recovery: no cron lease keys in Redis")
		}
		time.Sleep(50 * time.Millisecond) // polling Redis for the next cron tick
	}
	// No goroutine leak: idle connections settle within a few seconds.
	deadline = time.Now().Add(10 * time.Second)
	for {
		after := s.goroutines()
		if after <= before+10 {
			t.Logf("goroutines: %d before the outage, %d after recovery", before, after)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before the outage, %d after recovery", before, after)
		}
		time.Sleep(100 * time.Millisecond) // waiting for idle connections to close
	}
}

// TestThreeInstances runs three processes on one PostgreSQL and one Redis:
// a per-user limit holds across them, a cache invalidation on one is seen by
// the others, the cron job runs once per tick in total, and when one process
// is killed the others carry on and take over its ticks.
func TestThreeInstances(t *testing.T) {
	pg := testenv.Postgres(t)
	rd := testenv.RedisAddr(t)
	if rd == "" {
		t.Skip("KEEL_TEST_REDIS is unset")
	}
	keyPEM := testKeyPEM(t)
	env := []string{"DATABASE_URL=" + pg, "REDIS_URL=redis://" + rd, "REDIS_PREFIX=" + testenv.Name("todo") + ":",
		"JWT_SIGNING_KEY=" + keyPEM, "API_RATE_PER_SECOND=1", "API_BURST=30", "PURGE_SCHEDULE=@every 1s"}
	var servers [3]*server
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); servers[i] = startServer(t, env...) }()
	}
	wg.Wait()
	a, b, c := servers[0], servers[1], servers[2]
	tk := a.signup("fleet@example.com") // tokens from one verify on all

	// Cache invalidation across instances.
	var td todo
	a.expect("POST", "/v1/todos", tk.AccessToken, map[string]string{"title": "v1"}, 201).json(t, &td)
	path := fmt.Sprintf("/v1/todos/%d", td.ID)
	for _, s := range servers {
		s.expect("GET", path, tk.AccessToken, nil, 200) // every instance caches v1
	}
	b.expect("PATCH", path, tk.AccessToken, map[string]string{"title": "v2"}, 200)
	deadline := time.Now().Add(2 * time.Second)
	for _, s := range []*server{a, c} {
		for {
			var got todo
			s.expect("GET", path, tk.AccessToken, nil, 200).json(t, &got)
			if got.Title == "v2" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance still serves %q after the update elsewhere", got.Title)
			}
			time.Sleep(5 * time.Millisecond) // pub/sub delivery
		}
	}

	// A shared per-user limit: 30 at once plus 1 per second, across all three.
	start := time.Now()
	admitted := 0
	for i := 0; i < 90; i++ {
		r := servers[i%3].do("GET", "/v1/todos", tk.AccessToken, nil)
		switch r.status {
		case 200:
			admitted++
		case 429:
		default:
			t.Fatalf("status %d", r.status)
		}
	}
	elapsed := time.Since(start)
	spent := 2 + 3 + 2 // POST, 3 GETs, PATCH and the polling GETs (at least 2)
	maxAdmitted := 30 - spent + int(elapsed.Seconds()) + 1
	t.Logf("limit 30 + 1/s shared by 3 instances: %d of 90 admitted in %s (at most %d expected)", admitted, elapsed.Round(time.Millisecond), maxAdmitted)
	if admitted > maxAdmitted || admitted < 30-spent-10 {
		t.Fatalf("admitted %d, want at most %d", admitted, maxAdmitted)
	}

	// Cron: once per tick in total.
	runs := func(ss ...*server) float64 {
		var n float64
		for _, s := range ss {
			n += s.scrape("keel_cron_runs_total", `job="purge-deleted"`)
		}
		return n
	}
	r0, t0 := runs(a, b, c), time.Now()
	time.Sleep(4 * time.Second) // let four ticks pass
	r1, ticks := runs(a, b, c), time.Since(t0).Seconds()
	t.Logf("cron: %.0f runs across 3 instances in %.1f s", r1-r0, ticks)
	if r1-r0 > ticks+1 || r1-r0 < ticks-2 {
		t.Fatalf("%.0f runs in %.1f s of @every 1s ticks", r1-r0, ticks)
	}

	// Kill one instance: the others serve, and the ticks go on.
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-a.done
	r2 := runs(b, c)
	b.expect("GET", path, tk.AccessToken, nil, 200)
	c.expect("GET", path, tk.AccessToken, nil, 200)
	deadline = time.Now().Add(5 * time.Second)
	for runs(b, c) < r2+2 {
		if time.Now().After(deadline) {
			t.Fatal("cron stopped after one instance died")
		}
		time.Sleep(100 * time.Millisecond) // waiting for ticks
	}
}

// TestPostgresRestartUnderLoad restarts PostgreSQL under load: requests
// that need it fail cleanly with a 503 problem while it is down, /readyz
// goes 503 and back to 200, and the pool recovers without a process restart.
func TestPostgresRestartUnderLoad(t *testing.T) {
	pg := testenv.StartPostgresServer(t)
	s := startServer(t, "DATABASE_URL="+pg.URL(), "API_RATE_PER_SECOND=1000000")
	tk := s.signup("pg@example.com")
	s.expect("POST", "/v1/todos", tk.AccessToken, map[string]string{"title": "t"}, 201)

	type tally struct{ ok, unavailable, unclean atomic.Int64 }
	var lastUnclean atomic.Value
	listOnce := func(c *tally) {
		req, _ := http.NewRequest("GET", s.base+"/v1/todos", nil)
		req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
		resp, err := client.Do(req)
		if err != nil {
			c.unclean.Add(1)
			lastUnclean.Store(err.Error())
			return
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == 200:
			c.ok.Add(1)
		case resp.StatusCode == 503 && resp.Header.Get("Content-Type") == "application/problem+json" && resp.Header.Get("Retry-After") != "":
			c.unavailable.Add(1)
		default:
			c.unclean.Add(1)
			lastUnclean.Store(fmt.Sprintf("%d %s", resp.StatusCode, b))
		}
	}
	phase := func(name string, until func() bool) *tally {
		c := new(tally)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					listOnce(c)
				}
			}()
		}
		deadline := time.Now().Add(30 * time.Second)
		for !until() {
			if time.Now().After(deadline) {
				cancel()
				wg.Wait()
				t.Fatalf("%s: condition not reached in 30s", name)
			}
			time.Sleep(20 * time.Millisecond) // polling readiness
		}
		cancel()
		wg.Wait()
		t.Logf("%s: %d ok, %d clean 503, %d unclean", name, c.ok.Load(), c.unavailable.Load(), c.unclean.Load())
		return c
	}
	readyz := func() int {
		resp, err := http.Get(s.admin + "/readyz")
		if err != nil {
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	t0 := time.Now()
	up := phase("postgres up", func() bool { return time.Since(t0) > time.Second })
	pg.Stop()
	down := phase("postgres down", func() bool { return readyz() == 503 })
	t1 := time.Now()
	more := phase("postgres still down", func() bool { return time.Since(t1) > time.Second })
	pg.Start()
	back := phase("postgres back", func() bool { return readyz() == 200 })
	t2 := time.Now()
	after := phase("after recovery", func() bool { return time.Since(t2) > time.Second })

	if n := up.unclean.Load() + down.unclean.Load() + more.unclean.Load() + back.unclean.Load() + after.unclean.Load(); n > 0 {
		t.Errorf("%d requests failed uncleanly (not 200, not a 503 problem); last: %v", n, lastUnclean.Load())
	}
	if more.unavailable.Load() == 0 || more.ok.Load() != 0 {
		t.Errorf("while down: %d ok, %d 503", more.ok.Load(), more.unavailable.Load())
	}
	if after.ok.Load() == 0 || after.unavailable.Load() != 0 {
		t.Errorf("after recovery: %d ok, %d 503: the pool did not recover", after.ok.Load(), after.unavailable.Load())
	}
}
