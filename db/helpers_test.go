package db_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/gokeel/keel/db"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite"
)

// backend is a database the shared tests run against.
type backend struct {
	name    string
	driver  string
	dialect db.Dialect
	dsn     func(t *testing.T) string // a fresh, empty database
}

func sqliteDSN(t *testing.T) string {
	return "file:" + filepath.Join(t.TempDir(), "test.db") + "?_pragma=busy_timeout(10000)"
}

var backends = []backend{
	{"sqlite", "sqlite", db.SQLite, sqliteDSN},
	{"postgres", "pgx", db.Postgres, func(t *testing.T) string { return testenv.Postgres(t) }},
	{"mysql", "mysql", db.MySQL, func(t *testing.T) string { return testenv.MySQL(t) }},
}

// forEach runs f as a parallel subtest per backend.
func forEach(t *testing.T, f func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}

// open opens a fresh database of b, closed when t ends.
func (b backend) open(t *testing.T, opts ...db.Option) (*sqlx.DB, string) {
	t.Helper()
	dsn := b.dsn(t)
	return b.openDSN(t, dsn, opts...), dsn
}

func (b backend) openDSN(t *testing.T, dsn string, opts ...db.Option) *sqlx.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dbx, err := db.Open(ctx, b.driver, dsn, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = dbx.Close() })
	return dbx
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t *testing.T, dbx *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := dbx.ExecContext(ctxT(t), dbx.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func count(t *testing.T, dbx *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := dbx.GetContext(ctxT(t), &n, dbx.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
