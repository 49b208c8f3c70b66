package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gokeel/keel/ratelimit"
	"github.com/redis/go-redis/v9"
)

func ExampleNewMemory() {
	// A fixed clock makes the example deterministic; omit WithClock in
	// real code.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lim, err := ratelimit.NewMemory(ratelimit.PerSecond(10, ratelimit.Burst(3)),
		ratelimit.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	for range 4 {
		res, _ := lim.Allow(context.Background(), "192.0.2.1")
		fmt.Println(res.Allowed, res.Remaining, res.RetryAfter)
	}
	// Output:
	// true 2 0s
	// true 1 0s
	// true 0 0s
	// false 0 100ms
}

func ExampleNewLeakyBucket() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lim, _ := ratelimit.NewLeakyBucket(ratelimit.PerSecond(4, ratelimit.Burst(3)),
		ratelimit.WithClock(func() time.Time { return now }))
	for range 4 {
		res, _ := lim.Allow(context.Background(), "queue")
		// Allowed events wait their Delay, so they leave 250ms apart.
		fmt.Println(res.Allowed, res.Delay)
	}
	// Output:
	// true 0s
	// true 250ms
	// true 500ms
	// false 0s
}

func ExampleNewSlidingWindow() {
	now := time.Date(2026, 1, 1, 0, 0, 59, 0, time.UTC)
	lim, _ := ratelimit.NewSlidingWindow(ratelimit.PerMinute(100),
		ratelimit.WithClock(func() time.Time { return now }))
	res, _ := lim.AllowN(context.Background(), "k", 100)
	fmt.Println("end of a minute:", res.Allowed)
	// Two seconds later a fixed window would start afresh; the sliding
	// window still counts most of those 100 events.
	now = now.Add(2 * time.Second)
	res, _ = lim.AllowN(context.Background(), "k", 5)
	fmt.Println("start of the next, 5 more:", res.Allowed, res.Remaining)
	// Output:
	// end of a minute: true
	// start of the next, 5 more: false 1
}

func ExampleNewRedis() {
	// An in-process Redis for the example; use your redis.UniversalClient
	// (standalone, Sentinel or Cluster).
	srv, _ := miniredis.Run()
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	lim, err := ratelimit.NewRedis(rdb, ratelimit.PerMinute(100, ratelimit.Burst(2)),
		ratelimit.WithPrefix("rl:login:"), ratelimit.WithFailOpen(), ratelimit.WithTimeout(50*time.Millisecond))
	if err != nil {
		panic(err)
	}
	for range 3 {
		res, err := lim.Allow(context.Background(), "user-42")
		fmt.Println(res.Allowed, res.Remaining, err)
	}
	// Output:
	// true 1 <nil>
	// true 0 <nil>
	// false 0 <nil>
}

func ExampleMiddleware() {
	lim, _ := ratelimit.NewMemory(ratelimit.PerMinute(60, ratelimit.Burst(1)))
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })
	h := ratelimit.Middleware(lim, ratelimit.ByIP(), ratelimit.WithExemptPaths("/healthz"))(hello)

	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		fmt.Printf("%d %s Retry-After=%q\n", w.Code, w.Header().Get("RateLimit"), w.Header().Get("Retry-After"))
	}
	// Output:
	// 200 "default";r=0;t=1 Retry-After=""
	// 429 "default";r=0;t=1 Retry-After="1"
}

func ExampleComposite() {
	// One limit per client per route: each route has its own budget.
	key := ratelimit.Composite(ratelimit.ByRoute(), ratelimit.ByIP())
	r := httptest.NewRequest("POST", "/login", nil)
	r.Pattern = "POST /login" // set by the router
	k, _ := key(r)
	fmt.Println(k)
	// Output: 11:POST /login9:192.0.2.1
}
