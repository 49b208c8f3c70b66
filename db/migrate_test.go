package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// todoFS is a small schema history used by several tests.
func todoFS() fstest.MapFS {
	return fstest.MapFS{
		"0001_create_todos.up.sql":   file("CREATE TABLE todos (id INT PRIMARY KEY, title VARCHAR(100) NOT NULL);"),
		"0001_create_todos.down.sql": file("DROP TABLE todos;"),
		"0002_seed.up.sql":           file("-- a comment\nINSERT INTO todos (id, title) VALUES (1, 'one');\nINSERT INTO todos (id, title) VALUES (2, 'two');"),
		"0002_seed.down.sql":         file("DELETE FROM todos;"),
		"0003_create_tags.up.sql":    file("CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(50));"),
		"0003_create_tags.down.sql":  file("DROP TABLE tags;"),
		"README.md":                  file("ignored"),
	}
}

// goSeed is a Go migration: version 4 copies titles into tags.
var goSeed = db.GoMigration{
	Version: 4, Name: "copy_titles",
	Up: func(ctx context.Context, tx sqlx.ExtContext) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO tags (id, name) SELECT id, title FROM todos")
		return err
	},
	Down: func(ctx context.Context, tx sqlx.ExtContext) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM tags")
		return err
	},
}

func applied(t *testing.T, m *db.Migrator) []int64 {
	t.Helper()
	st, err := m.Status(ctxT(t))
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	var out []int64
	for _, s := range st {
		if s.Applied {
			out = append(out, s.Version)
		}
	}
	return out
}

func tableExists(t *testing.T, dbx *sqlx.DB, name string) bool {
	t.Helper()
	_, err := dbx.ExecContext(ctxT(t), "SELECT 1 FROM "+name+" WHERE 1 = 0")
	return err == nil
}

func TestMigrateUpDownTo(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, _ := b.open(t)
		ctx := ctxT(t)
		at := time.Date(2026, 11, 26, 7, 0, 0, 123000000, time.UTC)
		m, err := db.NewMigrator(dbx, todoFS(), db.WithGoMigrations(goSeed), db.WithMigrateClock(func() time.Time { return at }))
		if err != nil {
			t.Fatal(err)
		}
		if got := applied(t, m); len(got) != 0 {
			t.Fatalf("applied before Up = %v", got)
		}
		if err := m.Up(ctx); err != nil {
			t.Fatalf("Up: %v", err)
		}
		if err := m.Up(ctx); err != nil {
			t.Fatalf("second Up: %v", err)
		}
		if got := fmt.Sprint(applied(t, m)); got != "[1 2 3 4]" {
			t.Fatalf("applied = %s", got)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM tags"); n != 2 {
			t.Fatalf("tags = %d, want 2 (Go migration ran once)", n)
		}
		st, _ := m.Status(ctx)
		if !st[0].AppliedAt.Equal(at) || st[0].Checksum == "" || st[0].Checksum != st[0].AppliedChecksum || st[3].Checksum != "" {
			t.Fatalf("status[0] = %+v, status[3] = %+v", st[0], st[3])
		}

		if err := m.Down(ctx, 2); err != nil {
			t.Fatalf("Down(2): %v", err)
		}
		if got := fmt.Sprint(applied(t, m)); got != "[1 2]" || tableExists(t, dbx, "tags") {
			t.Fatalf("after Down(2): applied %s, tags exists %v", got, tableExists(t, dbx, "tags"))
		}
		if err := m.To(ctx, 1); err != nil {
			t.Fatalf("To(1): %v", err)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM todos"); n != 0 {
			t.Fatalf("todos after To(1) = %d, want 0", n)
		}
		if err := m.To(ctx, 3); err != nil {
			t.Fatalf("To(3): %v", err)
		}
		if got := fmt.Sprint(applied(t, m)); got != "[1 2 3]" {
			t.Fatalf("after To(3): %s", got)
		}
		if err := m.To(ctx, 0); err != nil {
			t.Fatalf("To(0): %v", err)
		}
		if got := applied(t, m); len(got) != 0 || tableExists(t, dbx, "todos") {
			t.Fatalf("after To(0): applied %v", got)
		}
		if err := m.To(ctx, 7); !errors.Is(err, db.ErrUnknownVersion) {
			t.Fatalf("To(7) = %v, want ErrUnknownVersion", err)
		}
		if err := db.Migrate(ctx, dbx, todoFS()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if err := db.MigrateTo(ctx, dbx, todoFS(), 1); err != nil {
			t.Fatalf("MigrateTo: %v", err)
		}
	})
}

func TestMigrateChecksumMissingOutOfOrder(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, _ := b.open(t)
		ctx := ctxT(t)
		fsys := todoFS()
		delete(fsys, "0002_seed.up.sql")
		delete(fsys, "0002_seed.down.sql")
		if err := db.Migrate(ctx, dbx, fsys); err != nil {
			t.Fatal(err)
		}

		// Out of order: 2 appears after 3 was applied.
		fsys["0002_seed.up.sql"] = file("INSERT INTO todos (id, title) VALUES (1, 'one');")
		err := db.Migrate(ctx, dbx, fsys)
		if !errors.Is(err, db.ErrOutOfOrder) || !strings.Contains(err.Error(), "0002_seed.up.sql") {
			t.Fatalf("out of order: %v", err)
		}
		if err := db.Migrate(ctx, dbx, fsys, db.AllowOutOfOrder()); err != nil {
			t.Fatalf("AllowOutOfOrder: %v", err)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM todos"); n != 1 {
			t.Fatalf("todos = %d", n)
		}

		// Drift: an applied file changes.
		fsys["0001_create_todos.up.sql"] = file("CREATE TABLE todos (id INT PRIMARY KEY); -- edited")
		err = db.Migrate(ctx, dbx, fsys)
		if !errors.Is(err, db.ErrChecksumMismatch) || !strings.Contains(err.Error(), "0001_create_todos.up.sql") {
			t.Fatalf("drift: %v", err)
		}
		if err := db.Migrate(ctx, dbx, fsys, db.AllowChecksumMismatch()); err != nil {
			t.Fatalf("AllowChecksumMismatch: %v", err)
		}
		m, _ := db.NewMigrator(dbx, fsys)
		st, _ := m.Status(ctx)
		if st[0].Checksum == st[0].AppliedChecksum {
			t.Fatal("Status does not show the drift")
		}

		// Missing: an applied file disappears.
		delete(fsys, "0003_create_tags.up.sql")
		delete(fsys, "0003_create_tags.down.sql")
		err = db.Migrate(ctx, dbx, fsys, db.AllowChecksumMismatch())
		if !errors.Is(err, db.ErrMissingMigration) || !strings.Contains(err.Error(), "3") {
			t.Fatalf("missing: %v", err)
		}
		m, _ = db.NewMigrator(dbx, fsys)
		st, _ = m.Status(ctx)
		if last := st[len(st)-1]; !last.Missing || last.Version != 3 {
			t.Fatalf("Status does not show the missing migration: %+v", last)
		}
	})
}

func TestMigrateFailureAndDirty(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, _ := b.open(t)
		ctx := ctxT(t)
		fsys := fstest.MapFS{
			"0001_base.up.sql": file("CREATE TABLE base (id INT);"),
			// The first statement succeeds, the second fails.
			"0002_broken.up.sql": file("CREATE TABLE half (id INT);\nINSERT INTO nowhere VALUES (1);"),
		}
		err := db.Migrate(ctx, dbx, fsys)
		var me *db.MigrationError
		if !errors.As(err, &me) || me.Version != 2 || me.Direction != "up" {
			t.Fatalf("err = %v, want a MigrationError for version 2", err)
		}
		m, _ := db.NewMigrator(dbx, fsys)
		st, _ := m.Status(ctx)
		if b.dialect == db.MySQL {
			// DDL is not transactional: half exists, and the record is dirty.
			if !errors.Is(err, db.ErrDirty) || !strings.Contains(err.Error(), "Force(ctx, 2, true)") {
				t.Fatalf("err = %v, want ErrDirty with instructions", err)
			}
			if !tableExists(t, dbx, "half") || !st[1].Dirty {
				t.Fatalf("half exists %v, status %+v", tableExists(t, dbx, "half"), st[1])
			}
			if err := db.Migrate(ctx, dbx, fsys); !errors.Is(err, db.ErrDirty) {
				t.Fatalf("Migrate on a dirty database = %v, want ErrDirty", err)
			}
			// The human undoes the half-applied migration and says so.
			mustExec(t, dbx, "DROP TABLE half")
			if err := m.Force(ctx, 2, false); err != nil {
				t.Fatal(err)
			}
		} else {
			// The migration and its record rolled back together.
			if errors.Is(err, db.ErrDirty) || tableExists(t, dbx, "half") || st[1].Applied {
				t.Fatalf("err = %v, half exists %v, status %+v", err, tableExists(t, dbx, "half"), st[1])
			}
		}
		fsys["0002_broken.up.sql"] = file("CREATE TABLE half (id INT);")
		if err := db.Migrate(ctx, dbx, fsys); err != nil {
			t.Fatalf("Migrate after the fix: %v", err)
		}

		// A no-transaction migration that fails is dirty on every dialect.
		fsys["0003_notx.up.sql"] = file("-- keel:no-transaction\nINSERT INTO nowhere VALUES (1);")
		err = db.Migrate(ctx, dbx, fsys)
		if !errors.Is(err, db.ErrDirty) || !errors.As(err, &me) || me.Version != 3 {
			t.Fatalf("no-transaction failure = %v, want ErrDirty for version 3", err)
		}
		fsys["0003_notx.up.sql"] = file("-- keel:no-transaction\nCREATE TABLE notx (id INT);")
		if err := db.Migrate(ctx, dbx, fsys); !errors.Is(err, db.ErrDirty) {
			t.Fatalf("still dirty: %v", err)
		}
		m, _ = db.NewMigrator(dbx, fsys)
		if err := m.Force(ctx, 3, false); err != nil {
			t.Fatal(err)
		}
		if err := m.Up(ctx); err != nil {
			t.Fatalf("Up after Force: %v", err)
		}
		if !tableExists(t, dbx, "notx") {
			t.Fatal("no-transaction migration did not run")
		}
		if err := m.Force(ctx, 3, true); err != nil {
			t.Fatalf("Force applied: %v", err)
		}
		if err := m.Force(ctx, 9, true); !errors.Is(err, db.ErrUnknownVersion) {
			t.Fatalf("Force(9) = %v", err)
		}
		if err := m.Down(ctx, 1); !errors.Is(err, db.ErrNoDown) {
			t.Fatalf("Down without a down file = %v, want ErrNoDown", err)
		}
	})
}

func TestNewMigratorBadFiles(t *testing.T) {
	t.Parallel()
	dbx, _ := backends[0].open(t)
	cases := []struct {
		name string
		fsys fstest.MapFS
		gos  []db.GoMigration
		want string
	}{
		{"no direction", fstest.MapFS{"0001_x.sql": file("SELECT 1;")}, nil, "0001_x.sql"},
		{"no version", fstest.MapFS{"x_y.up.sql": file("SELECT 1;")}, nil, "x_y.up.sql"},
		{"zero version", fstest.MapFS{"0_y.up.sql": file("SELECT 1;")}, nil, "0_y.up.sql"},
		{"bad name", fstest.MapFS{"1_a b.up.sql": file("SELECT 1;")}, nil, "1_a b.up.sql"},
		{"duplicate version", fstest.MapFS{"1_a.up.sql": file("SELECT 1;"), "01_b.up.sql": file("SELECT 1;")}, nil, "1_"},
		{"empty up", fstest.MapFS{"1_a.up.sql": file("-- nothing\n  \n/* at all */\n")}, nil, "1_a.up.sql"},
		{"unknown directive", fstest.MapFS{"1_a.up.sql": file("-- keel:no-transactoin\nSELECT 1;")}, nil, "1_a.up.sql"},
		{"late directive", fstest.MapFS{"1_a.up.sql": file("SELECT 1;\n-- keel:no-transaction\n")}, nil, "1_a.up.sql"},
		{"down only", fstest.MapFS{"1_a.down.sql": file("SELECT 1;")}, nil, "1_a.down.sql"},
		{"go clash", fstest.MapFS{"1_a.up.sql": file("SELECT 1;")}, []db.GoMigration{{Version: 1, Name: "g", Up: goSeed.Up}}, "1_a.up.sql"},
		{"go without up", nil, []db.GoMigration{{Version: 1, Name: "g"}}, "1_g"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var fsys = c.fsys
			_, err := db.NewMigrator(dbx, fsys, db.WithGoMigrations(c.gos...))
			if fsys == nil {
				_, err = db.NewMigrator(dbx, nil, db.WithGoMigrations(c.gos...))
			}
			if !errors.Is(err, db.ErrBadMigration) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrBadMigration naming %q", err, c.want)
			}
		})
	}
}

func TestMigrateOptionsValidated(t *testing.T) {
	t.Parallel()
	dbx, _ := backends[0].open(t)
	for name, opt := range map[string]db.MigrateOption{
		"table":   db.WithTable("x; DROP TABLE y"),
		"logger":  db.WithMigrateLogger(nil),
		"clock":   db.WithMigrateClock(nil),
		"dialect": db.WithDialect(db.Dialect(42)),
		"lock":    db.WithLockTimeout(0),
	} {
		if _, err := db.NewMigrator(dbx, todoFS(), opt); !errors.Is(err, db.ErrInvalidOption) {
			t.Errorf("%s: err = %v, want ErrInvalidOption", name, err)
		}
	}
	m, _ := db.NewMigrator(dbx, todoFS())
	if err := m.Down(ctxT(t), 0); !errors.Is(err, db.ErrInvalidOption) {
		t.Errorf("Down(0) = %v", err)
	}
}

func TestMigrateCustomTable(t *testing.T) {
	t.Parallel()
	dbx, _ := backends[0].open(t)
	ctx := ctxT(t)
	if err := db.Migrate(ctx, dbx, todoFS(), db.WithTable("app_schema_history")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, dbx, "SELECT COUNT(*) FROM app_schema_history"); n != 3 {
		t.Fatalf("history rows = %d, want 3", n)
	}
	if tableExists(t, dbx, db.DefaultMigrationsTable) {
		t.Fatal("default table created too")
	}
	m, _ := db.NewMigrator(dbx, todoFS(), db.WithTable("main.app_schema_history"))
	if got := fmt.Sprint(applied(t, m)); got != "[1 2 3]" {
		t.Fatalf("schema-qualified table: applied = %s", got)
	}
}
