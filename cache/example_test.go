package cache_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gokeel/keel/cache"
	"github.com/redis/go-redis/v9"
)

type Todo struct {
	ID    int
	Title string
}

func ExampleCache_GetOrLoad() {
	store, _ := cache.NewMemory(cache.WithMaxEntries(10_000))
	todos, _ := cache.New[Todo](store, cache.WithTTL(time.Minute), cache.WithNegativeTTL(5*time.Second))
	defer todos.Close()

	ctx := context.Background()
	load := func(id int) cache.Loader[Todo] {
		return func(ctx context.Context) (Todo, error) {
			fmt.Println("loading", id)
			if id != 1 {
				return Todo{}, cache.ErrNotFound
			}
			return Todo{ID: 1, Title: "write docs"}, nil
		}
	}
	t, _ := todos.GetOrLoad(ctx, "todo:1", load(1))
	fmt.Println(t.Title)
	t, _ = todos.GetOrLoad(ctx, "todo:1", load(1)) // a hit: no load
	fmt.Println(t.Title)
	for i := 0; i < 2; i++ { // the miss is cached too
		_, err := todos.GetOrLoad(ctx, "todo:2", load(2))
		fmt.Println(errors.Is(err, cache.ErrNotFound))
	}
	// Output:
	// loading 1
	// write docs
	// write docs
	// loading 2
	// true
	// true
}

func ExampleWithStaleWhileRevalidate() {
	clock := &fakeClockExample{t: time.Unix(0, 0)}
	store, _ := cache.NewMemory(cache.WithClock(clock))
	prices, _ := cache.New[int](store, cache.WithClock(clock),
		cache.WithTTL(time.Minute), cache.WithStaleWhileRevalidate(time.Hour))

	ctx := context.Background()
	p, _ := prices.GetOrLoad(ctx, "price", func(context.Context) (int, error) { return 100, nil })
	fmt.Println(p)
	clock.t = clock.t.Add(2 * time.Minute) // stale, within the SWR window
	p, _ = prices.GetOrLoad(ctx, "price", func(context.Context) (int, error) { return 120, nil })
	fmt.Println(p, "(stale: served at once, refreshed in the background)")
	_ = prices.Close() // waits for the refresh
	p, _ = prices.Get(ctx, "price")
	fmt.Println(p)
	// Output:
	// 100
	// 100 (stale: served at once, refreshed in the background)
	// 120
}

type fakeClockExample struct{ t time.Time }

func (c *fakeClockExample) Now() time.Time { return c.t }

func ExampleCache_WriteThrough() {
	store, _ := cache.NewMemory()
	todos, _ := cache.New[Todo](store)
	defer todos.Close()
	ctx := context.Background()

	db := map[int]Todo{} // the source of truth
	saved, err := todos.WriteThrough(ctx, "todo:7", func(ctx context.Context) (Todo, error) {
		t := Todo{ID: 7, Title: "ship"}
		db[t.ID] = t // write the source first...
		return t, nil
	}) // ...then the cache
	fmt.Println(saved.Title, err)
	cached, _ := todos.Get(ctx, "todo:7")
	fmt.Println(cached.Title)
	// Output:
	// ship <nil>
	// ship
}

func ExampleNewWriteBehind() {
	views := map[string]int{}
	flush := func(ctx context.Context, batch map[string]int) error {
		for page, n := range batch {
			views[page] = n // e.g. one UPDATE per page, in one transaction
		}
		return nil
	}
	wb, _ := cache.NewWriteBehind(flush, cache.WithFlushInterval(time.Second), cache.WithBatchSize(500))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- wb.Run(ctx) }()

	for i := 1; i <= 1000; i++ {
		_ = wb.Put(ctx, "/home", i) // coalesced: only the last value is flushed
	}
	stop()
	fmt.Println(<-done, views["/home"])
	// Output: <nil> 1000
}

func ExampleNewRedis() {
	mr, _ := miniredis.Run() // a real Redis in production
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	store, _ := cache.NewRedis(rdb, cache.WithPrefix("app:cache:"))
	todos, _ := cache.New[Todo](store, cache.WithTTL(time.Minute))
	defer todos.Close()
	ctx := context.Background()
	_ = todos.Set(ctx, "todo:1", Todo{ID: 1, Title: "from redis"})
	t, _ := todos.Get(ctx, "todo:1")
	fmt.Println(t.Title, mr.Exists("app:cache:todo:1"))
	// Output: from redis true
}

func ExampleNewTiered() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	// Two instances of a service, each with a local tier.
	newInstance := func() *cache.Tiered {
		local, _ := cache.NewMemory(cache.WithMaxEntries(1000))
		t, _ := cache.NewTiered(local, rdb, cache.WithPrefix("svc:"))
		for !t.Live() { // subscribed; a real service need not wait
			time.Sleep(time.Millisecond)
		}
		return t
	}
	a, b := newInstance(), newInstance()
	defer a.Close()
	defer b.Close()
	ctx := context.Background()

	_ = a.Set(ctx, "flag", []byte("on"), time.Hour)
	v, _ := b.Get(ctx, "flag") // b caches it locally
	fmt.Println(string(v))
	_ = a.Delete(ctx, "flag") // evicts b's local copy too
	for {
		if _, err := b.Get(ctx, "flag"); errors.Is(err, cache.ErrNotFound) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Println("gone everywhere")
	// Output:
	// on
	// gone everywhere
}

func ExampleWithDistributedSingleflight() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	store, _ := cache.NewRedis(rdb, cache.WithPrefix("reports:"))
	// Across every process on this Redis, one runs the expensive query; the
	// others wait up to 2s for its result, then query themselves.
	reports, _ := cache.New[string](store, cache.WithTTL(10*time.Minute),
		cache.WithDistributedSingleflight(5*time.Second, 2*time.Second))
	defer reports.Close()

	r, err := reports.GetOrLoad(context.Background(), "daily", func(context.Context) (string, error) {
		return "42 sales", nil // e.g. a slow aggregate query
	})
	fmt.Println(r, err)
	// Output: 42 sales <nil>
}
