// Command migrate applies, reverts and lists keel migrations (package db)
// from a directory of NNNN_name.up.sql / NNNN_name.down.sql files.
//
//	go run ./examples/migrate -driver sqlite -dsn app.db -dir migrations up
//	go run ./examples/migrate -driver pgx -dsn "$DATABASE_URL" -dir migrations status
//	... down N | to V | force V applied|pending
//
// Drivers: pgx (PostgreSQL), mysql (MySQL/MariaDB; add multiStatements=true
// to the DSN for files with several statements), sqlite (modernc.org/sqlite).
// The DSN may also come from the DATABASE_URL environment variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"text/tabwriter"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/gokeel/keel/db"
	_ "github.com/jackc/pgx/v5/stdlib"
	"go.uber.org/zap"
	_ "modernc.org/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
}

const usage = `usage: migrate -driver pgx|mysql|sqlite -dsn DSN -dir DIR COMMAND
commands:
  up                       apply every pending migration
  down N                   revert the N newest applied migrations
  to V                     migrate up or down to version V (0 reverts all)
  status                   list migrations, applied and pending
  force V applied|pending  record V as applied or not, after fixing a dirty migration by hand
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage); fl.PrintDefaults() }
	driver := fl.String("driver", "sqlite", "database/sql driver: pgx, mysql or sqlite")
	dsn := fl.String("dsn", os.Getenv("DATABASE_URL"), "data source name (default $DATABASE_URL)")
	dir := fl.String("dir", "migrations", "directory of migration files")
	table := fl.String("table", db.DefaultMigrationsTable, "history table")
	allowDrift := fl.Bool("allow-checksum-mismatch", false, "allow applied files to have changed")
	allowOOO := fl.Bool("allow-out-of-order", false, "apply pending migrations older than the newest applied one")
	wait := fl.Duration("wait", 30*time.Second, "how long to wait for the database")
	verbose := fl.Bool("v", false, "log each migration")
	if err := fl.Parse(args); err != nil {
		return err
	}
	rest := fl.Args()
	if len(rest) == 0 || *dsn == "" {
		fl.Usage()
		return errors.New("need -dsn and a command")
	}

	log := zap.NewNop()
	if *verbose {
		l, err := zap.NewDevelopment()
		if err != nil {
			return err
		}
		log = l
		defer func() { _ = l.Sync() }()
	}
	octx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	dbx, err := db.Open(octx, *driver, *dsn, db.WithLogger(log), db.WithMaxOpenConns(2))
	if err != nil {
		return err
	}
	defer dbx.Close()

	opts := []db.MigrateOption{db.WithTable(*table), db.WithMigrateLogger(log)}
	if *allowDrift {
		opts = append(opts, db.AllowChecksumMismatch())
	}
	if *allowOOO {
		opts = append(opts, db.AllowOutOfOrder())
	}
	m, err := db.NewMigrator(dbx, os.DirFS(*dir), opts...)
	if err != nil {
		return err
	}

	intArg := func(i int, what string) (int64, error) {
		if len(rest) <= i {
			return 0, fmt.Errorf("%s: missing %s", rest[0], what)
		}
		return strconv.ParseInt(rest[i], 10, 64)
	}
	switch rest[0] {
	case "up":
		err = m.Up(ctx)
	case "down":
		var n int64
		if n, err = intArg(1, "N"); err == nil {
			err = m.Down(ctx, int(n))
		}
	case "to":
		var v int64
		if v, err = intArg(1, "version"); err == nil {
			err = m.To(ctx, v)
		}
	case "force":
		var v int64
		if v, err = intArg(1, "version"); err == nil {
			if len(rest) < 3 || (rest[2] != "applied" && rest[2] != "pending") {
				return errors.New("force V: say applied or pending")
			}
			err = m.Force(ctx, v, rest[2] == "applied")
		}
	case "status":
	default:
		fl.Usage()
		return fmt.Errorf("unknown command %q", rest[0])
	}
	if err != nil {
		return err
	}
	return printStatus(ctx, m, stdout)
}

func printStatus(ctx context.Context, m *db.Migrator, w io.Writer) error {
	st, err := m.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT\tCHECKSUM")
	for _, s := range st {
		state, at := "pending", ""
		switch {
		case s.Missing:
			state = "applied, file missing"
		case s.Dirty:
			state = "DIRTY"
		case s.Applied && s.Checksum != s.AppliedChecksum:
			state = "applied, file changed"
		case s.Applied:
			state = "applied"
		}
		if s.Applied {
			at = s.AppliedAt.Format(time.RFC3339)
		}
		sum := s.Checksum
		if len(sum) > 12 {
			sum = sum[:12]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", s.Version, s.Name, state, at, sum)
	}
	return tw.Flush()
}
