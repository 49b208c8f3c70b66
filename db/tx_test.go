package db_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

func noSleep(context.Context, time.Duration) error { return nil }

func TestInTxCommitAndRollback(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, _ := b.open(t)
		ctx := ctxT(t)
		mustExec(t, dbx, "CREATE TABLE items (id INT PRIMARY KEY, v INT NOT NULL)")

		if err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO items (id, v) VALUES (?, ?)"), 1, 10)
			return err
		}); err != nil {
			t.Fatalf("InTx: %v", err)
		}
		boom := errors.New("boom")
		err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO items (id, v) VALUES (?, ?)"), 2, 20); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx error = %v, want boom", err)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM items"); n != 1 {
			t.Fatalf("rows = %d, want 1 (second insert rolled back)", n)
		}
	})
}

func TestInTxRollsBackOnPanic(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, _ := b.open(t, db.WithMaxOpenConns(2))
		ctx := ctxT(t)
		mustExec(t, dbx, "CREATE TABLE items (id INT PRIMARY KEY)")
		func() {
			defer func() {
				if p := recover(); p != "kaboom" {
					t.Errorf("recovered %v, want the original panic value", p)
				}
			}()
			_ = db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO items (id) VALUES (1)"); err != nil {
					t.Errorf("insert: %v", err)
				}
				panic("kaboom")
			})
		}()
		if n := count(t, dbx, "SELECT COUNT(*) FROM items"); n != 0 {
			t.Fatalf("rows = %d after panic, want 0", n)
		}
		if s := dbx.Stats(); s.InUse != 0 {
			t.Fatalf("connections in use after panic = %d, want 0", s.InUse)
		}
	})
}

// TestInTxRetriesConflict provokes a real serialization failure or
// deadlock: two transactions both read, then both write, and InTx must
// retry the loser until both have committed.
func TestInTxRetriesConflict(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, _ := b.open(t)
		ctx := ctxT(t)
		mustExec(t, dbx, "CREATE TABLE counter (id INT PRIMARY KEY, n INT NOT NULL)")
		mustExec(t, dbx, "INSERT INTO counter (id, n) VALUES (1, 0)")

		var opts []db.TxOption
		switch b.dialect {
		case db.Postgres, db.MySQL:
			opts = append(opts, db.Isolation(sql.LevelSerializable))
		}
		var retries atomic.Int32
		var lastErr atomic.Value
		opts = append(opts, db.RetryBackoff(db.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 10}),
			db.OnRetry(func(_ int, err error) { retries.Add(1); lastErr.Store(err.Error()) }))

		var bothRead sync.WaitGroup
		bothRead.Add(2)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first := true
				errs[i] = db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
					var n int
					if err := tx.GetContext(ctx, &n, "SELECT n FROM counter WHERE id = 1"); err != nil {
						if first {
							first = false
							bothRead.Done()
						}
						return err
					}
					if first { // only the first attempts meet, so the conflict is certain once
						first = false
						bothRead.Done()
						bothRead.Wait()
					}
					_, err := tx.ExecContext(ctx, tx.Rebind("UPDATE counter SET n = ? WHERE id = 1"), n+1)
					return err
				}, opts...)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("tx %d: %v", i, err)
			}
		}
		if n := count(t, dbx, "SELECT n FROM counter WHERE id = 1"); n != 2 {
			t.Fatalf("counter = %d, want 2 (no lost update)", n)
		}
		if retries.Load() == 0 {
			t.Fatalf("no retry happened: the conflict was not provoked")
		}
		t.Logf("%d retries, last error: %v", retries.Load(), lastErr.Load())
	})
}

// sqlStateErr mimics *pgconn.PgError.
type sqlStateErr string

func (e sqlStateErr) Error() string    { return "pg error " + string(e) }
func (e sqlStateErr) SQLState() string { return string(e) }

func TestInTxRetryBoundsAndBackoff(t *testing.T) {
	t.Parallel()
	dbx, _ := backends[0].open(t)
	var sleeps []time.Duration
	calls := 0
	err := db.InTx(ctxT(t), dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		calls++
		return sqlStateErr("40001")
	}, db.RetryBackoff(db.Backoff{Initial: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 4,
		Sleep: func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}))
	if !errors.Is(err, db.ErrRetriesExhausted) || !errors.Is(err, sqlStateErr("40001")) {
		t.Fatalf("err = %v, want ErrRetriesExhausted wrapping the 40001 error", err)
	}
	if calls != 4 || len(sleeps) != 3 {
		t.Fatalf("calls = %d, sleeps = %v; want 4 calls and 3 sleeps", calls, sleeps)
	}
	bounds := [][2]time.Duration{{5, 10}, {10, 20}, {20, 40}}
	for i, d := range sleeps {
		lo, hi := bounds[i][0]*time.Millisecond, bounds[i][1]*time.Millisecond
		if d < lo || d > hi {
			t.Errorf("sleep %d = %v, want within [%v, %v]", i, d, lo, hi)
		}
	}

	calls = 0
	err = db.InTx(ctxT(t), dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		calls++
		return sqlStateErr("23505") // unique violation: not retryable
	}, db.RetryBackoff(db.Backoff{Sleep: noSleep}))
	if calls != 1 || !errors.Is(err, sqlStateErr("23505")) || errors.Is(err, db.ErrRetriesExhausted) {
		t.Fatalf("non-retryable: calls = %d, err = %v", calls, err)
	}

	calls = 0
	_ = db.InTx(ctxT(t), dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		calls++
		return sqlStateErr("40P01")
	}, db.NoRetry())
	if calls != 1 {
		t.Fatalf("NoRetry: calls = %d", calls)
	}

	ctx, cancel := context.WithCancel(ctxT(t))
	err = db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		cancel()
		return sqlStateErr("40001")
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled during backoff: err = %v, want context.Canceled", err)
	}
}

func TestInTxNested(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		// One connection: a nested InTx that took a second one would hang.
		dbx, _ := b.open(t, db.WithMaxOpenConns(1))
		ctx := ctxT(t)
		mustExec(t, dbx, "CREATE TABLE items (id INT PRIMARY KEY)")
		insert := func(id int) db.TxFunc {
			return func(ctx context.Context, tx *sqlx.Tx) error {
				_, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO items (id) VALUES (?)"), id)
				return err
			}
		}
		boom := errors.New("boom")
		err := db.InTx(ctx, dbx, func(ctx context.Context, outer *sqlx.Tx) error {
			if got, ok := db.TxFrom(ctx, dbx); !ok || got != outer {
				t.Errorf("TxFrom = %v, %v; want the outer tx", got, ok)
			}
			if err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
				if tx != outer {
					t.Errorf("nested InTx got a different transaction")
				}
				return insert(1)(ctx, tx)
			}); err != nil {
				return err
			}
			// A savepoint undoes only the inner work, even after a failed
			// statement (which aborts a PostgreSQL transaction).
			err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
				if err := insert(2)(ctx, tx); err != nil {
					return err
				}
				if err := insert(1)(ctx, tx); err == nil {
					t.Errorf("duplicate insert succeeded")
				}
				return boom
			}, db.Savepoint())
			if !errors.Is(err, boom) {
				t.Errorf("savepoint InTx = %v, want boom", err)
			}
			return db.InTx(ctx, dbx, insert(3), db.Savepoint())
		})
		if err != nil {
			t.Fatalf("outer InTx: %v", err)
		}
		var ids []int
		if err := dbx.SelectContext(ctx, &ids, "SELECT id FROM items ORDER BY id"); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0] != 1 || ids[1] != 3 {
			t.Fatalf("ids = %v, want [1 3]", ids)
		}
		if _, ok := db.TxFrom(ctx, dbx); ok {
			t.Fatal("TxFrom outside InTx reported a transaction")
		}
	})
}

func TestInTxReadOnly(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		if b.dialect == db.SQLite {
			t.Skip("modernc.org/sqlite ignores read-only transactions")
		}
		dbx, _ := b.open(t)
		mustExec(t, dbx, "CREATE TABLE items (id INT PRIMARY KEY)")
		err := db.InTx(ctxT(t), dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO items (id) VALUES (1)")
			return err
		}, db.ReadOnly(), db.Isolation(sql.LevelRepeatableRead))
		if err == nil {
			t.Fatal("write in a read-only transaction succeeded")
		}
	})
}

func TestTxOptionsValidated(t *testing.T) {
	t.Parallel()
	dbx, _ := backends[0].open(t)
	for name, opt := range map[string]db.TxOption{
		"isolation": db.Isolation(sql.IsolationLevel(99)),
		"backoff":   db.RetryBackoff(db.Backoff{Initial: time.Second, Max: time.Millisecond}),
		"negative":  db.RetryBackoff(db.Backoff{Attempts: -1}),
		"onretry":   db.OnRetry(nil),
	} {
		err := db.InTx(ctxT(t), dbx, func(context.Context, *sqlx.Tx) error { return nil }, opt)
		if !errors.Is(err, db.ErrInvalidOption) {
			t.Errorf("%s: err = %v, want ErrInvalidOption", name, err)
		}
	}
}
