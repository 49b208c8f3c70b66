package testenv_test

import (
	"context"
	"database/sql"
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
