package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// RedisAddr returns the address of the configured real Redis server, or ""
// when KEEL_TEST_REDIS is unset. It fails t when servers are required but the
// variable is unset.
func RedisAddr(t testing.TB) string {
	t.Helper()
	v := os.Getenv(EnvRedis)
	if v == "" && Required() {
		t.Fatalf("testenv: %s is unset (KEEL_TEST_REQUIRE is set)", EnvRedis)
	}
	return v
}

// Redis returns a client for the Redis server in KEEL_TEST_REDIS, or for an
// in-process miniredis when it is unset. The client is closed when t ends.
// Keys written by the test should carry a prefix from [Name], since other
// tests share the server.
func Redis(t testing.TB) redis.UniversalClient {
	t.Helper()
	if v := RedisAddr(t); v != "" {
		return dialRedis(t, v)
	}
	mr := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// RealRedis is like [Redis] but never falls back to miniredis: without
// KEEL_TEST_REDIS the test is skipped (or fails when servers are required).
func RealRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	v := RedisAddr(t)
	if v == "" {
		unavailable(t, "%s is unset; set it to a Redis address to run this test", EnvRedis)
	}
	return dialRedis(t, v)
}

// RedisOptions parses a KEEL_TEST_REDIS value: a URL or a host:port.
func RedisOptions(v string) (*redis.Options, error) {
	if strings.Contains(v, "://") {
		return redis.ParseURL(v)
	}
	return &redis.Options{Addr: v}, nil
}

func dialRedis(t testing.TB, v string) redis.UniversalClient {
	t.Helper()
	opts, err := RedisOptions(v)
	if err != nil {
		t.Fatalf("testenv: %s: %v", EnvRedis, err)
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		unavailable(t, "redis at %s unreachable: %v", hostOf(opts.Addr), err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// RedisServer is a redis-server process owned by one test, on a spare
// loopback port, that the test can stop and start again to simulate an
// outage. Create one with [StartRedisServer].
type RedisServer struct {
	t    testing.TB
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedisServer starts redis-server on a free loopback port and stops it
// when t ends. Without a redis-server binary on PATH the test is skipped (or
// fails when servers are required).
func StartRedisServer(t testing.TB) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, "redis-server not on PATH: %v", err)
	}
	s := &RedisServer{t: t, port: FreePort(t), dir: t.TempDir()}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Addr returns the server's host:port. It stays the same across restarts.
func (s *RedisServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Start starts the server if it is stopped and waits until it answers PING.
func (s *RedisServer) Start() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("testenv: start redis-server: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.done)
	if err := pingUntil(s.Addr(), s.done); err != nil {
		s.Stop()
		s.t.Fatalf("testenv: %v", err)
	}
}

// pingUntil waits up to 10 s for the Redis server at addr to answer PING,
// giving up early when exited is closed (the process died).
func pingUntil(addr string, exited <-chan struct{}) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer: %w", addr, err)
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server on %s exited at start", addr)
		case <-time.After(20 * time.Millisecond): // waiting for the process to listen
		}
	}
}

// Stop kills the server and waits for it to exit. Stopping a stopped server
// does nothing.
func (s *RedisServer) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Client returns a new client for the server, closed when the test ends.
func (s *RedisServer) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// String describes the server for test logs.
func (s *RedisServer) String() string { return fmt.Sprintf("redis-server(%s)", s.Addr()) }
