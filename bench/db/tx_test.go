package dbbench

import (
	"context"
	"fmt"
	"testing"

	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

// BenchmarkTx measures InTx against hand-written BeginTxx/Commit running
// the same UPDATE on one connection. db=nop is a driver that does nothing,
// so it shows the cost of the Go code alone; to measure the code rather
// than the disk, SQLite is in memory and PostgreSQL commits without waiting
// for its WAL flush (synchronous_commit off).
func BenchmarkTx(b *testing.B) {
	txTargets := []target{
		{"sqlite", "sqlite", func(*testing.B) string { return ":memory:" }},
		targets[1],
	}
	b.Run("db=nop", func(b *testing.B) {
		dbx := sqlx.NewDb(openNop(), "nop")
		defer dbx.Close()
		b.Run("lib=hand", func(b *testing.B) { benchHand(b, dbx, "UPDATE") })
		b.Run("lib=keel", func(b *testing.B) { benchKeel(b, dbx, "UPDATE") })
	})
	for _, t := range txTargets {
		b.Run("db="+t.name, func(b *testing.B) {
			ctx := context.Background()
			dbx, err := db.Open(ctx, t.driver, t.fresh(b), db.WithMaxOpenConns(1), db.WithMaxIdleConns(1), db.WithConnMaxIdleTime(0))
			if err != nil {
				b.Fatal(err)
			}
			defer dbx.Close()
			if t.name == "postgres" {
				if _, err := dbx.ExecContext(ctx, "SET synchronous_commit TO off"); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := dbx.ExecContext(ctx, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
				b.Fatal(err)
			}
			if _, err := dbx.ExecContext(ctx, "INSERT INTO counter (id, n) VALUES (1, 0)"); err != nil {
				b.Fatal(err)
			}
			const update = "UPDATE counter SET n = n + 1 WHERE id = 1"
			b.Run("lib=hand", func(b *testing.B) { benchHand(b, dbx, update) })
			b.Run("lib=keel", func(b *testing.B) { benchKeel(b, dbx, update) })
		})
	}
}

func benchHand(b *testing.B, dbx *sqlx.DB, update string) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tx, err := dbx.BeginTxx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, update); err != nil {
			_ = tx.Rollback()
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchKeel(b *testing.B, dbx *sqlx.DB, update string) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, update)
			return err
		})
		if err != nil {
			b.Fatal(fmt.Errorf("InTx: %w", err))
		}
	}
}
