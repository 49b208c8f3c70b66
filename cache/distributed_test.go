package cache_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/redis/go-redis/v9"
)

const procs = 3

// TestDistributedSingleflight starts three OS processes that miss one key at
// the same moment; with WithDistributedSingleflight the loader runs once in
// total.
func TestDistributedSingleflight(t *testing.T) {
	if testenv.IsChild() {
		t.Skip("parent test")
	}
	t.Parallel()
	addr := testenv.RedisAddr(t)
	if addr == "" {
		addr = miniredis.RunT(t).Addr() // the children reach it over TCP
	}
	opts, err := testenv.RedisOptions(addr)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	prefix := testenv.Name("keeltest:") + ":"
	defer func() { // the children's keys
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			_ = client.Del(ctx, iter.Val()).Err()
		}
	}()

	outs := make([]string, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := testenv.Command(t, "TestDistributedHelper", prefix, testenv.EnvRedis+"="+addr)
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		}()
	}
	wg.Wait()
	var results []string
	for i := range outs {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i])
		}
		for _, line := range strings.Split(outs[i], "\n") {
			if r, ok := strings.CutPrefix(line, "RESULT "); ok {
				results = append(results, r)
			}
		}
	}
	if len(results) != procs {
		t.Fatalf("got %d results, want %d: %q", len(results), procs, outs)
	}
	for _, r := range results {
		if r != results[0] {
			t.Fatalf("processes got different values: %q", results)
		}
	}
	loads, err := client.Get(context.Background(), prefix+"loads").Int()
	if err != nil {
		t.Fatal(err)
	}
	if loads != 1 {
		t.Fatalf("loader ran %d times across %d processes, want 1", loads, procs)
	}
}

// TestDistributedHelper is the child process of TestDistributedSingleflight.
func TestDistributedHelper(t *testing.T) {
	if !testenv.IsChild() {
		t.Skip("helper process for TestDistributedSingleflight")
	}
	prefix := testenv.ChildArg()
	opts, err := testenv.RedisOptions(os.Getenv(testenv.EnvRedis))
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	ctx := context.Background()
	store, err := cache.NewRedis(client, cache.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New[string](store, cache.WithDistributedSingleflight(5*time.Second, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// Barrier: all processes miss at the same moment.
	if err := client.Incr(ctx, prefix+"ready").Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, _ := client.Get(ctx, prefix+"ready").Int()
		if n >= procs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("barrier: the other processes did not start")
		}
		time.Sleep(2 * time.Millisecond)
	}
	v, err := c.GetOrLoad(ctx, "shared", func(ctx context.Context) (string, error) {
		n, err := client.Incr(ctx, prefix+"loads").Result()
		if err != nil {
			return "", err
		}
		time.Sleep(300 * time.Millisecond) // a slow source
		return fmt.Sprintf("loaded-by-pid-%d-load-%d", os.Getpid(), n), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RESULT %s\n", v)
}
