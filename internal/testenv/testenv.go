// Package testenv tells keel's tests how to reach real Redis, PostgreSQL and
// MySQL/MariaDB servers, and gives them embedded fallbacks when none is
// configured.
//
// # Environment
//
//   - KEEL_TEST_REDIS: address ("127.0.0.1:6379") or URL ("redis://...") of a Redis server.
//   - KEEL_TEST_POSTGRES: PostgreSQL URL ("postgres://postgres@127.0.0.1:5432/test?sslmode=disable").
//   - KEEL_TEST_MYSQL: go-sql-driver DSN ("root@tcp(127.0.0.1:3306)/test").
//   - KEEL_TEST_REQUIRE=1: every server above is mandatory. A test that asks for
//     one that is unset or unreachable fails instead of skipping. CI sets it.
//
// When a variable is unset and KEEL_TEST_REQUIRE is not set, [Redis] falls back
// to an in-process miniredis and [Postgres]/[MySQL] skip the test with a reason.
// Tests that need a Redis they can stop and restart use [StartRedisServer].
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Names of the environment variables read by this package.
const (
	EnvRedis    = "KEEL_TEST_REDIS"
	EnvPostgres = "KEEL_TEST_POSTGRES"
	EnvMySQL    = "KEEL_TEST_MYSQL"
	EnvRequire  = "KEEL_TEST_REQUIRE"
)

// Required reports whether KEEL_TEST_REQUIRE asks for real servers.
func Required() bool {
	v := os.Getenv(EnvRequire)
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

// unavailable skips t, or fails it when servers are required.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("testenv: "+format+" (KEEL_TEST_REQUIRE is set)", args...)
	}
	t.Skipf("testenv: "+format, args...)
}

// Name returns a short random name that starts with prefix, safe to use as a
// Redis key prefix or an SQL identifier. Tests sharing one server use it to
// stay out of each other's way.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// IsChild reports whether this test binary was started by [Command] as a
// child process.
func IsChild() bool { return os.Getenv("KEEL_TEST_CHILD") != "" }

// ChildArg returns the argument [Command] passed to this child process.
func ChildArg() string { return os.Getenv("KEEL_TEST_CHILD") }

// childEnv is the environment a child inherits, plus the child marker.
func childEnv(arg string, env []string) []string {
	out := append([]string{}, os.Environ()...)
	out = append(out, "KEEL_TEST_CHILD="+arg)
	return append(out, env...)
}

// hostOf returns the host part of an address for messages.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return strings.TrimSpace(addr)
}
