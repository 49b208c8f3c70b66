package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/db"
	"go.uber.org/zap"
)

// TestPurgeJob runs the cron job's function: deleted todos older than the
// retention go, live ones stay, and expired refresh tokens are swept.
func TestPurgeJob(t *testing.T) {
	ctx := context.Background()
	dbx, err := db.Open(ctx, "sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer dbx.Close()
	files, _ := migrationsFor("sqlite")
	if err := db.Migrate(ctx, dbx, files); err != nil {
		t.Fatal(err)
	}
	st, err := newStore(dbx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.createUser(ctx, "p@example.com", "x", []string{"user"})
	if err != nil {
		t.Fatal(err)
	}
	keep, _ := st.createTodo(ctx, u.ID, "keep")
	gone, _ := st.createTodo(ctx, u.ID, "gone")
	if err := st.deleteTodo(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	tokens, _ := auth.NewMemoryTokenStore()
	_ = tokens.Save(ctx, auth.StoredToken{Hash: auth.HashToken("old"), Family: "f1", Subject: "1", ExpiresAt: time.Now().Add(-time.Minute)})
	_ = tokens.Save(ctx, auth.StoredToken{Hash: auth.HashToken("new"), Family: "f2", Subject: "1", ExpiresAt: time.Now().Add(time.Hour)})

	if err := purgeJob(st, tokens, -time.Hour, zap.NewNop())(ctx); err != nil { // cutoff in the future: purge now
		t.Fatal(err)
	}
	var n int
	if err := dbx.GetContext(ctx, &n, `SELECT COUNT(*) FROM todos`); err != nil || n != 1 {
		t.Fatalf("todos left: %d, %v", n, err)
	}
	if _, err := st.todo(ctx, keep.ID); err != nil {
		t.Fatalf("live todo purged: %v", err)
	}
	if _, err := tokens.Lookup(ctx, auth.HashToken("old"), time.Now()); err == nil {
		t.Fatal("expired refresh token not purged")
	}
	if _, err := tokens.Lookup(ctx, auth.HashToken("new"), time.Now()); err != nil {
		t.Fatalf("live refresh token purged: %v", err)
	}
}
