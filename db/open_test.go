package db_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/gokeel/keel/db"
	"github.com/gokeel/keel/internal/testenv"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// withAddr points a PostgreSQL URL or a MySQL DSN at addr.
func withAddr(t *testing.T, b backend, dsn, addr string) string {
	t.Helper()
	if b.dialect == db.MySQL {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Addr = addr
		return cfg.FormatDSN()
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

func serverAddr(t *testing.T, b backend, dsn string) string {
	t.Helper()
	if b.dialect == db.MySQL {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Addr
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// proxy forwards connections on ln to target until closed.
func proxy(t *testing.T, ln net.Listener, target string) {
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			wg.Add(2)
			pipe := func(dst, src net.Conn) {
				defer wg.Done()
				_, _ = io.Copy(dst, src)
				_ = dst.Close()
				_ = src.Close()
			}
			go pipe(s, c)
			go pipe(c, s)
		}
	}()
}

// TestOpenWaitsForDatabase starts Open against a port where nothing
// listens yet, and brings the database up on it (a proxy to the real
// server) only after Open has failed once.
func TestOpenWaitsForDatabase(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		if b.dialect == db.SQLite {
			t.Skip("SQLite has no server to wait for")
		}
		real := b.dsn(t)
		port := testenv.FreePort(t)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		dsn := withAddr(t, b, real, addr)

		failed := make(chan struct{})
		var once sync.Once
		var sleeps atomic.Int32
		type result struct {
			dbx *sqlx.DB
			err error
		}
		done := make(chan result, 1)
		go func() {
			dbx, err := db.Open(ctxT(t), b.driver, dsn, db.WithConnectBackoff(db.Backoff{
				Initial: time.Millisecond, Max: 20 * time.Millisecond, Attempts: 500,
				Sleep: func(ctx context.Context, d time.Duration) error {
					sleeps.Add(1)
					once.Do(func() { close(failed) })
					select {
					case <-ctx.Done():
						return ctx.Err()
					case <-time.After(d):
						return nil
					}
				},
			}))
			done <- result{dbx, err}
		}()
		<-failed // Open has tried and failed: now the database comes up.
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listen on %s: %v", addr, err)
		}
		proxy(t, ln, serverAddr(t, b, real))
		r := <-done
		if r.err != nil {
			t.Fatalf("Open: %v", r.err)
		}
		defer r.dbx.Close()
		if err := r.dbx.PingContext(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		t.Logf("Open succeeded after %d waits", sleeps.Load())
	})
}

func TestOpenErrorNamesHostNotPassword(t *testing.T) {
	t.Parallel()
	port := strconv.Itoa(testenv.FreePort(t)) // nothing listens there
	cases := []struct{ driver, dsn string }{
		{"pgx", "postgres://app:s3cr3t-pw@127.0.0.1:" + port + "/app?sslmode=disable"},
		{"pgx", "host=127.0.0.1 port=" + port + " user=app password='s3cr3t-pw' dbname=app sslmode=disable"},
		{"mysql", "app:s3cr3t-pw@tcp(127.0.0.1:" + port + ")/app"},
	}
	for _, c := range cases {
		t.Run(c.driver, func(t *testing.T) {
			t.Parallel()
			sleeps := 0
			_, err := db.Open(ctxT(t), c.driver, c.dsn, db.WithConnectBackoff(db.Backoff{Attempts: 3,
				Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }}))
			if !errors.Is(err, db.ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "127.0.0.1:"+port) || strings.Contains(msg, "s3cr3t") || !strings.Contains(msg, "3 attempts") {
				t.Fatalf("message %q: want the host, the attempts and no password", msg)
			}
			if sleeps != 2 {
				t.Fatalf("sleeps = %d, want 2", sleeps)
			}
		})
	}
}

// TestOpenPermanentErrors: a database that does not exist, or a password
// that is wrong, fails at once instead of after the whole backoff.
func TestOpenPermanentErrors(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		var dsn string
		switch b.dialect {
		case db.SQLite:
			t.Skip("no server")
		case db.Postgres:
			dsn = withPath(t, b.dsn(t), "/keel_no_such_db")
		case db.MySQL:
			cfg, _ := mysql.ParseDSN(b.dsn(t))
			cfg.Passwd = "wrong-pw"
			dsn = cfg.FormatDSN()
		}
		sleeps := 0
		_, err := db.Open(ctxT(t), b.driver, dsn, db.WithConnectBackoff(db.Backoff{Attempts: 5,
			Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }}))
		if !errors.Is(err, db.ErrUnavailable) || sleeps != 0 || strings.Contains(err.Error(), "wrong-pw") {
			t.Fatalf("err = %v after %d sleeps; want a permanent ErrUnavailable at once", err, sleeps)
		}
	})
}

func withPath(t *testing.T, dsn, path string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = path
	return u.String()
}

func TestOpenCancelled(t *testing.T) {
	t.Parallel()
	port := strconv.Itoa(testenv.FreePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	_, err := db.Open(ctx, "pgx", "postgres://x@127.0.0.1:"+port+"/x", db.WithConnectBackoff(db.Backoff{
		Sleep: func(ctx context.Context, d time.Duration) error { cancel(); <-ctx.Done(); return ctx.Err() }}))
	if !errors.Is(err, db.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrUnavailable and context.Canceled", err)
	}
}

func TestOpenOptionsValidated(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]db.Option{
		"max open":  db.WithMaxOpenConns(0),
		"max idle":  db.WithMaxIdleConns(-1),
		"lifetime":  db.WithConnMaxLifetime(-time.Second),
		"idle time": db.WithConnMaxIdleTime(-time.Second),
		"backoff":   db.WithConnectBackoff(db.Backoff{Initial: time.Minute, Max: time.Second}),
		"ping":      db.WithPingTimeout(0),
		"logger":    db.WithLogger(nil),
		"metrics":   db.WithMetrics(nil),
		"name":      db.WithName(""),
		"slow":      db.WithSlowQueryLog(zap.NewNop(), 0),
	} {
		if _, err := db.Open(ctxT(t), "sqlite", sqliteDSN(t), opt); !errors.Is(err, db.ErrInvalidOption) {
			t.Errorf("%s: err = %v, want ErrInvalidOption", name, err)
		}
	}
	if _, err := db.Open(ctxT(t), "nosuchdriver", "x"); err == nil || errors.Is(err, db.ErrInvalidOption) {
		t.Errorf("unknown driver: err = %v", err)
	}
}

func TestPoolSettingsAndMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	dsn := sqliteDSN(t)
	dbx := backends[0].openDSN(t, dsn, db.WithMetrics(reg), db.WithName("todo"), db.WithMaxOpenConns(3))
	if got := dbx.Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("MaxOpenConnections = %d", got)
	}
	if def, _ := backends[0].open(t); def.Stats().MaxOpenConnections != db.DefaultMaxOpenConns {
		t.Fatalf("default MaxOpenConnections = %d", def.Stats().MaxOpenConnections)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() != "todo" {
				t.Errorf("%s label = %v", mf.GetName(), m.GetLabel())
			}
			found[mf.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	if len(found) != 9 || found["keel_db_max_open_connections"] != 3 || found["keel_db_open_connections"] < 1 {
		t.Fatalf("metrics = %v", found)
	}
	// A second pool with the same name clashes and is reported.
	if _, err := db.Open(ctxT(t), "sqlite", dsn, db.WithMetrics(reg), db.WithName("todo")); err == nil {
		t.Fatal("duplicate metrics registration succeeded")
	}
}

func TestHealthCheck(t *testing.T) {
	t.Parallel()
	dbx, _ := backends[0].open(t)
	check := db.HealthCheck(dbx)
	if err := check(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = dbx.Close()
	if err := check(context.Background()); err == nil {
		t.Fatal("health check of a closed pool passed")
	}
}

func TestSlowQueryLog(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		core, logs := observer.New(zap.WarnLevel)
		dbx, dsn := b.open(t, db.WithSlowQueryLog(zap.New(core), time.Nanosecond))
		ctx := ctxT(t)
		mustExec(t, dbx, "CREATE TABLE items (id INT PRIMARY KEY, at TIMESTAMP NULL, n BIGINT)")
		now := time.Now().UTC().Truncate(time.Second)
		if err := db.InTx(ctx, dbx, func(ctx context.Context, tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, tx.Rebind("INSERT INTO items (id, at, n) VALUES (?, ?, ?)"), 1, now, uint32(7))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		st, err := dbx.PreparexContext(ctx, dbx.Rebind("SELECT n FROM items WHERE id = ?"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var n int64
		if err := st.GetContext(ctx, &n, 1); err != nil || n != 7 {
			t.Fatalf("prepared select = %d, %v", n, err)
		}
		var got []string
		for _, e := range logs.All() {
			got = append(got, e.ContextMap()["query"].(string))
		}
		all := strings.Join(got, "\n")
		if !strings.Contains(all, "INSERT INTO items") || !strings.Contains(all, "SELECT n FROM items") {
			t.Fatalf("slow log = %q", all)
		}
		if e := logs.All()[0]; e.Message != "db: slow query" || e.ContextMap()["db"] != "main" {
			t.Fatalf("entry = %+v", e)
		}

		// Below the threshold nothing is logged.
		quiet, quietLogs := observer.New(zap.WarnLevel)
		fast := b.openDSN(t, dsn, db.WithSlowQueryLog(zap.New(quiet), time.Hour))
		if n := count(t, fast, "SELECT COUNT(*) FROM items WHERE id = ?", 1); n != 1 || quietLogs.Len() != 0 {
			t.Fatalf("count = %d, logs = %d", n, quietLogs.Len())
		}
	})
}
