package db_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

// TestMigrateLockTimeout: while one migrator is inside a migration, a
// second one waits for it and gives up with ErrLockTimeout after its lock
// timeout; once the first finishes, the second has nothing left to do.
func TestMigrateLockTimeout(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, dsn := b.open(t)
		other := b.openDSN(t, dsn)
		ctx := ctxT(t)
		fsys := fstest.MapFS{"0001_a.up.sql": file("CREATE TABLE a (id INT);")}
		entered, release := make(chan struct{}), make(chan struct{})
		slow := db.GoMigration{Version: 2, Name: "slow", Up: func(ctx context.Context, tx sqlx.ExtContext) error {
			close(entered)
			<-release
			_, err := tx.ExecContext(ctx, "INSERT INTO a (id) VALUES (1)")
			return err
		}}
		first := make(chan error, 1)
		go func() { first <- db.Migrate(ctx, dbx, fsys, db.WithGoMigrations(slow)) }()
		<-entered

		second := db.GoMigration{Version: 2, Name: "slow", Up: func(context.Context, sqlx.ExtContext) error {
			t.Error("second migrator ran migration 2")
			return nil
		}}
		start := time.Now()
		err := db.Migrate(ctx, other, fsys, db.WithGoMigrations(second), db.WithLockTimeout(300*time.Millisecond))
		if !errors.Is(err, db.ErrLockTimeout) {
			t.Fatalf("second migrator: %v, want ErrLockTimeout", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("gave up after %v", d)
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatalf("first migrator: %v", err)
		}
		if err := db.Migrate(ctx, other, fsys, db.WithGoMigrations(second)); err != nil {
			t.Fatalf("second migrator after the first: %v", err)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM a"); n != 1 {
			t.Fatalf("rows = %d, want 1", n)
		}

		// A cancelled context stops a waiting migrator too.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := db.Migrate(cctx, other, fsys); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Migrate = %v", err)
		}
	})
}
