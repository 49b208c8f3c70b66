package db_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gokeel/keel/db"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/jmoiron/sqlx"
)

const processMigrations = 20

// processFS has a log table and migrations that each write a row into it,
// so a migration applied twice shows up as a duplicate row.
func processFS() fstest.MapFS {
	fsys := fstest.MapFS{"0001_log.up.sql": file("CREATE TABLE applied_log (version INT NOT NULL);")}
	for v := 2; v <= processMigrations; v++ {
		fsys[fmt.Sprintf("%04d_step.up.sql", v)] = file(fmt.Sprintf(
			"CREATE TABLE t%d (id INT);\nINSERT INTO applied_log (version) VALUES (%d);", v, v))
	}
	return fsys
}

// holdMigration is a Go migration whose Up signals the parent on stdout and
// then blocks until the process is killed.
func holdMigration(block bool) db.GoMigration {
	return db.GoMigration{Version: processMigrations + 1, Name: "hold", Up: func(ctx context.Context, tx sqlx.ExtContext) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO applied_log (version) VALUES (99)"); err != nil {
			return err
		}
		if block {
			fmt.Println("holding")
			select {}
		}
		return nil
	}}
}

// TestHelperProcess is the child side of the multi-process tests.
func TestHelperProcess(t *testing.T) {
	if !testenv.IsChild() {
		t.Skip("helper process for TestMigrateConcurrentProcesses")
	}
	err := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dbx, err := db.Open(ctx, os.Getenv("KEEL_DB_DRIVER"), os.Getenv("KEEL_DB_DSN"))
		if err != nil {
			return err
		}
		defer dbx.Close()
		// Start together: wait for the parent to close stdin.
		_, _ = io.Copy(io.Discard, os.Stdin)
		switch testenv.ChildArg() {
		case "migrate":
			return db.Migrate(ctx, dbx, processFS())
		case "hold":
			return db.Migrate(ctx, dbx, processFS(), db.WithGoMigrations(holdMigration(true)))
		}
		return fmt.Errorf("unknown child arg %q", testenv.ChildArg())
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func child(t *testing.T, b backend, dsn, arg string) (*exec.Cmd, io.WriteCloser, *strings.Builder) {
	t.Helper()
	cmd := testenv.Command(t, "TestHelperProcess", arg, "KEEL_DB_DRIVER="+b.driver, "KEEL_DB_DSN="+dsn)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	return cmd, stdin, &stderr
}

// TestMigrateConcurrentProcesses runs eight migrator processes at once
// against one database: every migration must be applied exactly once.
func TestMigrateConcurrentProcesses(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, dsn := b.open(t)
		const procs = 8
		cmds := make([]*exec.Cmd, procs)
		stdins := make([]io.WriteCloser, procs)
		stderrs := make([]*strings.Builder, procs)
		for i := range procs {
			cmds[i], stdins[i], stderrs[i] = child(t, b, dsn, "migrate")
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for _, in := range stdins { // go
			_ = in.Close()
		}
		var wg sync.WaitGroup
		errs := make([]error, procs)
		for i, c := range cmds {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = c.Wait() }()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("process %d: %v: %s", i, err, stderrs[i])
			}
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM applied_log"); n != processMigrations-1 {
			t.Fatalf("applied_log rows = %d, want %d (each migration exactly once)", n, processMigrations-1)
		}
		if n := count(t, dbx, "SELECT COUNT(DISTINCT version) FROM applied_log"); n != processMigrations-1 {
			t.Fatalf("distinct versions = %d", n)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM "+db.DefaultMigrationsTable); n != processMigrations {
			t.Fatalf("history rows = %d, want %d", n, processMigrations)
		}
	})
}

// TestMigrateLockReleasedWhenProcessDies kills a migrator while it holds
// the lock in the middle of a migration; another migrator must then get
// the lock and finish (on MySQL after clearing the dirty record, since it
// cannot know how far the dead one got).
func TestMigrateLockReleasedWhenProcessDies(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbx, dsn := b.open(t)
		cmd, stdin, stderr := child(t, b, dsn, "hold")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		_ = stdin.Close()
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || !strings.Contains(line, "holding") {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("child did not reach the blocking migration: %q %v: %s", line, err, stderr)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		ctx := ctxT(t)
		m, err := db.NewMigrator(dbx, processFS(), db.WithGoMigrations(holdMigration(false)), db.WithLockTimeout(20*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		err = m.Up(ctx)
		if b.dialect == db.MySQL {
			if !errors.Is(err, db.ErrDirty) {
				t.Fatalf("Up after the kill = %v, want ErrDirty", err)
			}
			if err := m.Force(ctx, processMigrations+1, false); err != nil {
				t.Fatal(err)
			}
			err = m.Up(ctx)
		}
		if err != nil {
			t.Fatalf("Up after the kill: %v", err)
		}
		if n := count(t, dbx, "SELECT COUNT(*) FROM applied_log WHERE version = 99"); n != 1 {
			t.Fatalf("hold migration rows = %d, want 1 (the killed one rolled back)", n)
		}
	})
}
