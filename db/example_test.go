package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

// exampleDB opens a throwaway SQLite database.
func exampleDB() (*sqlx.DB, func()) {
	dir, err := os.MkdirTemp("", "keel-db-example")
	if err != nil {
		panic(err)
	}
	dbx, err := db.Open(context.Background(), "sqlite", filepath.Join(dir, "app.db"))
	if err != nil {
		panic(err)
	}
	return dbx, func() { _ = dbx.Close(); _ = os.RemoveAll(dir) }
}

// In a service the migrations are an embed.FS:
//
//	//go:embed migrations/*.sql
//	var migrations embed.FS
//	sub, _ := fs.Sub(migrations, "migrations")
var migrations = fstest.MapFS{
	"0001_create_todos.up.sql":   {Data: []byte("CREATE TABLE todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done BOOLEAN NOT NULL DEFAULT FALSE);")},
	"0001_create_todos.down.sql": {Data: []byte("DROP TABLE todos;")},
	"0002_index_done.up.sql":     {Data: []byte("CREATE INDEX todos_done ON todos (done);")},
	"0002_index_done.down.sql":   {Data: []byte("DROP INDEX todos_done;")},
}

func Example() {
	ctx := context.Background()
	// db.Open(ctx, "pgx", os.Getenv("DATABASE_URL")) in production.
	dbx, closeDB := exampleDB()
	defer closeDB()

	if err := db.Migrate(ctx, dbx, migrations); err != nil {
		fmt.Println(err)
		return
	}
	err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO todos (title) VALUES (?)"), "write docs")
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var titles []string
	_ = dbx.SelectContext(ctx, &titles, "SELECT title FROM todos")
	fmt.Println(titles)
	// Output: [write docs]
}

func ExampleInTx() {
	ctx := context.Background()
	dbx, closeDB := exampleDB()
	defer closeDB()
	_ = db.Migrate(ctx, dbx, migrations)

	// The function may run more than once (on serialization failures), so
	// it only touches the database.
	err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO todos (title) VALUES ('a')"); err != nil {
			return err
		}
		// A nested call joins the transaction; with Savepoint its failure
		// undoes only its own work.
		_ = db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			_, _ = tx.ExecContext(ctx, "INSERT INTO todos (title) VALUES ('b')")
			return fmt.Errorf("changed my mind")
		}, db.Savepoint())
		return nil
	}, db.Isolation(sql.LevelSerializable))
	fmt.Println(err)

	var n int
	_ = dbx.GetContext(ctx, &n, "SELECT COUNT(*) FROM todos")
	fmt.Println(n, "todo")
	// Output:
	// <nil>
	// 1 todo
}

func ExampleMigrator() {
	ctx := context.Background()
	dbx, closeDB := exampleDB()
	defer closeDB()

	m, err := db.NewMigrator(dbx, migrations)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = m.Up(ctx)
	_ = m.Down(ctx, 1)
	status, _ := m.Status(ctx)
	for _, s := range status {
		fmt.Printf("%04d %-12s applied=%v\n", s.Version, s.Name, s.Applied)
	}
	// Output:
	// 0001 create_todos applied=true
	// 0002 index_done   applied=false
}

func ExampleDialect_Rebind() {
	fmt.Println(db.Postgres.Rebind("SELECT * FROM todos WHERE id = ? AND done = ?"))
	fmt.Println(db.MySQL.Rebind("SELECT * FROM todos WHERE id = ?"))
	// Output:
	// SELECT * FROM todos WHERE id = $1 AND done = $2
	// SELECT * FROM todos WHERE id = ?
}

func ExampleDialectFor() {
	for _, driver := range []string{"pgx", "mysql", "sqlite", "oracle"} {
		d, err := db.DialectFor(driver)
		fmt.Println(driver, d, err != nil)
	}
	// Output:
	// pgx postgres false
	// mysql mysql false
	// sqlite sqlite false
	// oracle unknown true
}
