package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Postgres creates a fresh, empty PostgreSQL database on the server in
// KEEL_TEST_POSTGRES, drops it when t ends, and returns its URL (for the
// "pgx" driver). Without the variable the test is skipped (or fails when
// servers are required).
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		unavailable(t, "%s is unset; set it to a PostgreSQL URL to run this test", EnvPostgres)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: %s: %v", EnvPostgres, err)
	}
	admin := openPing(t, "pgx", base, u.Host)
	name := Name("keel_")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		_ = admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

// MySQL creates a fresh, empty MySQL/MariaDB database on the server in
// KEEL_TEST_MYSQL, drops it when t ends, and returns its DSN (for the "mysql"
// driver, with parseTime and multiStatements on). Without the variable the
// test is skipped (or fails when servers are required).
func MySQL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvMySQL)
	if base == "" {
		unavailable(t, "%s is unset; set it to a MySQL DSN to run this test", EnvMySQL)
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("testenv: %s: %v", EnvMySQL, err)
	}
	admin := openPing(t, "mysql", base, cfg.Addr)
	name := Name("keel_")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		_ = admin.Close()
	})
	cfg.DBName = name
	cfg.ParseTime = true
	cfg.MultiStatements = true
	return cfg.FormatDSN()
}

func openPing(t testing.TB, driver, dsn, host string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("testenv: open %s: %v", driver, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		unavailable(t, "%s at %s unreachable: %v", driver, hostOf(host), redact(err, dsn))
	}
	return db
}

// redact keeps a DSN's password out of an error message.
func redact(err error, dsn string) string {
	msg := err.Error()
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return fmt.Sprint(msg)
}
