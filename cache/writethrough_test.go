package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokeel/keel/cache"
)

func TestWriteThrough(t *testing.T) {
	t.Parallel()
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCache[string](t, mk(t))
			ctx := context.Background()
			source := "v0"
			load := func(context.Context) (string, error) { return source, nil }
			if v, _ := c.GetOrLoad(ctx, "k", load); v != "v0" {
				t.Fatalf("GetOrLoad = %q", v)
			}
			v, err := c.WriteThrough(ctx, "k", func(context.Context) (string, error) { source = "v1"; return source, nil })
			if err != nil || v != "v1" {
				t.Fatalf("WriteThrough = %q, %v", v, err)
			}
			if got, _ := c.Get(ctx, "k"); got != "v1" {
				t.Fatalf("after WriteThrough Get = %q, want v1", got)
			}
			boom := errors.New("db down")
			if _, err := c.WriteThrough(ctx, "k", func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
				t.Fatalf("failed write: err = %v", err)
			}
			if got, _ := c.Get(ctx, "k"); got != "v1" {
				t.Fatalf("after a failed write Get = %q, want the cache untouched (v1)", got)
			}
			if err := c.WriteInvalidate(ctx, "k", func(context.Context) error { source = "v2"; return nil }); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("after WriteInvalidate Get err = %v, want ErrNotFound", err)
			}
			if v, _ := c.GetOrLoad(ctx, "k", load); v != "v2" {
				t.Fatalf("GetOrLoad after invalidate = %q, want v2", v)
			}
		})
	}
}

func TestWriteThroughStoreDown(t *testing.T) {
	t.Parallel()
	down := errors.New("down")
	s := funcStore{
		get: func(context.Context, string) ([]byte, error) { return nil, down },
		set: func(context.Context, string, []byte, time.Duration) error { return down },
		del: func(context.Context, ...string) error { return down },
	}
	c := newCache[int](t, s)
	v, err := c.WriteThrough(context.Background(), "k", func(context.Context) (int, error) { return 5, nil })
	if v != 5 || !errors.Is(err, cache.ErrNotUpdated) {
		t.Fatalf("WriteThrough = %d, %v; want 5 and ErrNotUpdated", v, err)
	}
	if err := c.WriteInvalidate(context.Background(), "k", func(context.Context) error { return nil }); !errors.Is(err, cache.ErrNotUpdated) {
		t.Fatalf("WriteInvalidate err = %v, want ErrNotUpdated", err)
	}
}
