package db

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// MySQLError mimics go-sql-driver's *mysql.MySQLError (matched by type
// name and field, since this package imports no driver).
type MySQLError struct {
	Number  uint16
	Message string
}

func (e *MySQLError) Error() string { return fmt.Sprintf("Error %d: %s", e.Number, e.Message) }

type stateErr string

func (e stateErr) Error() string    { return string(e) }
func (e stateErr) SQLState() string { return string(e) }

type codeErr int

func (e codeErr) Error() string { return fmt.Sprintf("sqlite %d", int(e)) }
func (e codeErr) Code() int     { return int(e) }

func TestIsRetryable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("x"), false},
		{"pg serialization", stateErr("40001"), true},
		{"pg deadlock wrapped", fmt.Errorf("db: commit: %w", stateErr("40P01")), true},
		{"pg unique", stateErr("23505"), false},
		{"mysql deadlock", &MySQLError{Number: 1213}, true},
		{"mysql lock wait", fmt.Errorf("x: %w", &MySQLError{Number: 1205}), true},
		{"mysql dup", &MySQLError{Number: 1062}, false},
		{"mysql in join", errors.Join(errors.New("a"), &MySQLError{Number: 1213}), true},
		{"sqlite busy", codeErr(5), true},
		{"sqlite busy snapshot", codeErr(517), true},
		{"sqlite locked", codeErr(6), true},
		{"sqlite constraint", codeErr(19), false},
		{"other sqlite driver", errors.New("database is locked"), true},
		{"context", context.Canceled, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := IsRetryable(c.err); got != c.want {
				t.Fatalf("IsRetryable(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
	if !isPermanent(stateErr("28P01")) || !isPermanent(&MySQLError{Number: 1045}) || isPermanent(stateErr("57P03")) {
		t.Fatal("isPermanent")
	}
}

func TestDescribeDSN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d            Dialect
		dsn          string
		host, secret string
	}{
		{Postgres, "postgres://u:p%40ss@db.internal:5433/app?sslmode=disable", "db.internal:5433", "p@ss"},
		{Postgres, "host=db port=5432 user=u password='it''s x' dbname=a", "db:5432", "it"},
		{Postgres, `host=db password='a\'b c' dbname=a`, "db", "a'b c"},
		{Postgres, "host=/var/run/postgresql dbname=a", "/var/run/postgresql", ""},
		{MySQL, "u:p@ss:w@tcp(10.0.0.1:3306)/app?parseTime=true", "10.0.0.1:3306", "p@ss:w"},
		{MySQL, "u@unix(/tmp/mysql.sock)/app", "/tmp/mysql.sock", ""},
		{MySQL, "/app", "127.0.0.1:3306", ""},
		{SQLite, "file:/data/app.db?_pragma=busy_timeout(5000)", "/data/app.db", ""},
		{SQLite, "app.db", "app.db", ""},
		{UnknownDialect, "whatever", "", ""},
	}
	for _, c := range cases {
		got := describeDSN(c.d, c.dsn)
		if got.host != c.host || got.secret != c.secret {
			t.Errorf("describeDSN(%v, %q) = %+v, want host %q secret %q", c.d, c.dsn, got, c.host, c.secret)
		}
	}
	tg := target{host: "h", secret: "p@ss"}
	if got := tg.scrub("bad p@ss and p%40ss"); strings.Contains(got, "ss") {
		t.Errorf("scrub = %q", got)
	}
}

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	for n, hi := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 800, 5: 1000, 60: 1000} {
		hi *= time.Millisecond
		for range 50 {
			if d := b.delay(n); d < hi/2 || d > hi {
				t.Fatalf("delay(%d) = %v, want in [%v, %v]", n, d, hi/2, hi)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleepCtx on a cancelled context = %v", err)
	}
}

func TestParseDirectives(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body         string
		noTx, hasSQL bool
		wantErr      bool
	}{
		{"SELECT 1;", false, true, false},
		{"-- keel:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);", true, true, false},
		{"/* header\n still */\n--keel:no-transaction\nSELECT 1;", true, true, false},
		{"-- just a comment\n", false, false, false},
		{"/* a */ -- b\n", false, false, false},
		{"-- keel:nope\nSELECT 1;", false, false, true},
		{"SELECT 1;\n-- keel:no-transaction", false, false, true},
	}
	for _, c := range cases {
		noTx, hasSQL, err := parseDirectives(c.body)
		if (err != nil) != c.wantErr || (err == nil && (noTx != c.noTx || hasSQL != c.hasSQL)) {
			t.Errorf("parseDirectives(%q) = %v, %v, %v", c.body, noTx, hasSQL, err)
		}
	}
}

func FuzzParseDirectives(f *testing.F) {
	for _, s := range []string{"SELECT 1;", "-- keel:no-transaction\nX", "/* x", "/* */ */ --", "-- keel:\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		noTx, hasSQL, err := parseDirectives(body)
		if err == nil && noTx && !strings.Contains(body, "keel:no-transaction") {
			t.Fatalf("noTx without the marker: %q", body)
		}
		_ = hasSQL
	})
}

func FuzzDescribeDSN(f *testing.F) {
	for _, s := range []string{"postgres://u:p@h/d", "host=h password='x", "u:p@tcp(h)/d", "file:x.db?a=b", "'", "@/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		for d := UnknownDialect; d <= SQLite; d++ {
			tg := describeDSN(d, dsn)
			if tg.secret != "" && !strings.Contains("xxxxx", tg.secret) && strings.Contains(tg.scrub("\x00"+tg.secret+"\x00"), tg.secret) {
				t.Fatalf("scrub left the secret in: %q", dsn)
			}
		}
	})
}

// TestNoDriverImports keeps the package free of SQL drivers and of other
// keel feature packages (the walls in DESIGN.md).
func TestNoDriverImports(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/jackc/pgx", "github.com/go-sql-driver", "modernc.org/sqlite", "github.com/lib/pq", "github.com/mattn/go-sqlite3"} {
			if strings.HasPrefix(p, bad) {
				t.Errorf("db depends on driver package %s", p)
			}
		}
		if strings.HasPrefix(p, "github.com/gokeel/keel/") && p != "github.com/gokeel/keel/db" && p != "github.com/gokeel/keel/httpx" {
			t.Errorf("db depends on keel package %s", p)
		}
	}
}
