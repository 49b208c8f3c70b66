package testenv_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/gokeel/keel/internal/testenv"
)

func TestPostgresServerRestart(t *testing.T) {
	s := testenv.StartPostgresServer(t)
	db, err := sql.Open("pgx", s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("ping succeeded with the server stopped")
	}
	s.Start()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestRedisServerRestart(t *testing.T) {
	s := testenv.StartRedisServer(t)
	c := s.Client()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("ping succeeded with the server stopped")
	}
	s.Start()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestRedisCluster(t *testing.T) {
	c := testenv.StartRedisCluster(t)
	ctx := context.Background()
	// Keys land on different masters; a multi-key command across slots fails.
	for _, k := range []string{"a", "b", "c", "d"} {
		if err := c.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.MGet(ctx, "a", "b", "c").Err(); err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Fatalf("MGET across slots: %v, want CROSSSLOT", err)
	}
}
