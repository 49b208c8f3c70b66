// Package dbbench compares keel's db package with pressly/goose and
// golang-migrate on the same migrations and databases.
package dbbench

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/gokeel/keel/db"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite"
)

const numMigrations = 500

// Each migration creates a table and inserts a row: the same two
// statements for every library, in each library's file format.
func stmts(v int) (up, down string) {
	return fmt.Sprintf("CREATE TABLE t%d (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO t%d (id, name) VALUES (1, 'row %d');\n", v, v, v),
		fmt.Sprintf("DROP TABLE t%d;\n", v)
}

// upDownFS is the NNNN_name.up.sql/.down.sql layout keel and golang-migrate read.
func upDownFS() fstest.MapFS {
	fsys := fstest.MapFS{}
	for v := 1; v <= numMigrations; v++ {
		up, down := stmts(v)
		fsys[fmt.Sprintf("%04d_m%d.up.sql", v, v)] = &fstest.MapFile{Data: []byte(up)}
		fsys[fmt.Sprintf("%04d_m%d.down.sql", v, v)] = &fstest.MapFile{Data: []byte(down)}
	}
	return fsys
}

// gooseFS is goose's annotated single-file layout.
func gooseFS() fstest.MapFS {
	fsys := fstest.MapFS{}
	for v := 1; v <= numMigrations; v++ {
		up, down := stmts(v)
		fsys[fmt.Sprintf("%04d_m%d.sql", v, v)] = &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "-- +goose Down\n" + down)}
	}
	return fsys
}

type target struct {
	name   string
	driver string
	fresh  func(b *testing.B) string // DSN of a new empty database
}

var targets = []target{
	{"sqlite", "sqlite", func(b *testing.B) string { return "file:" + filepath.Join(b.TempDir(), "bench.db") + sqlitePragmas }},
	{"postgres", "pgx", func(b *testing.B) string { return testenv.Postgres(b) }},
}

type migrator struct {
	name string
	run  func(ctx context.Context, t target, sqldb *sql.DB) error
}

var migrators = []migrator{
	{"keel", func(ctx context.Context, t target, sqldb *sql.DB) error {
		return db.Migrate(ctx, sqlx.NewDb(sqldb, t.driver), keelFS)
	}},
	{"goose", func(ctx context.Context, t target, sqldb *sql.DB) error {
		dialect := goose.DialectSQLite3
		var opts []goose.ProviderOption
		if t.name == "postgres" {
			dialect = goose.DialectPostgres
			// The same guarantee as keel and golang-migrate: an advisory lock.
			l, err := lock.NewPostgresSessionLocker()
			if err != nil {
				return err
			}
			opts = append(opts, goose.WithSessionLocker(l))
		}
		p, err := goose.NewProvider(dialect, sqldb, gooseFSv, opts...)
		if err != nil {
			return err
		}
		_, err = p.Up(ctx)
		return err
	}},
	{"migrate", func(ctx context.Context, t target, sqldb *sql.DB) error {
		src, err := iofs.New(migrateFS, ".")
		if err != nil {
			return err
		}
		var m *migrate.Migrate
		if t.name == "postgres" {
			drv, err := migratepgx.WithInstance(sqldb, &migratepgx.Config{})
			if err != nil {
				return err
			}
			m, err = migrate.NewWithInstance("iofs", src, "pgx5", drv)
			if err != nil {
				return err
			}
		} else {
			drv, err := migratesqlite.WithInstance(sqldb, &migratesqlite.Config{})
			if err != nil {
				return err
			}
			m, err = migrate.NewWithInstance("iofs", src, "sqlite", drv)
			if err != nil {
				return err
			}
		}
		return m.Up()
	}},
}

var (
	keelFS          = upDownFS()
	migrateFS fs.FS = upDownFS()
	gooseFSv        = gooseFS()
)

// BenchmarkMigrate500 applies 500 migrations to an empty database. Setting
// up the database is outside the timer.
func BenchmarkMigrate500(b *testing.B) {
	for _, t := range targets {
		for _, m := range migrators {
			b.Run(fmt.Sprintf("db=%s/lib=%s", t.name, m.name), func(b *testing.B) {
				ctx := context.Background()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					sqldb, err := sql.Open(t.driver, t.fresh(b))
					if err != nil {
						b.Fatal(err)
					}
					if err := sqldb.PingContext(ctx); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if err := m.run(ctx, t, sqldb); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					var n int
					if err := sqldb.QueryRowContext(ctx, "SELECT COUNT(*) FROM t500").Scan(&n); err != nil || n != 1 {
						b.Fatalf("last migration not applied: %d %v", n, err)
					}
					_ = sqldb.Close()
					b.StartTimer()
				}
			})
		}
	}
}

// sqlitePragmas is appended to SQLite DSNs, from KEEL_BENCH_SQLITE_DSN_SUFFIX;
// "?_pragma=synchronous(OFF)" takes the disk out of the comparison.
var sqlitePragmas = os.Getenv("KEEL_BENCH_SQLITE_DSN_SUFFIX")
