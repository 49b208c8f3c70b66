package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// PostgresServer is a PostgreSQL server owned by one test, on a spare
// loopback port, that the test can stop and start again to simulate a
// restart. Create one with [StartPostgresServer].
type PostgresServer struct {
	t       testing.TB
	port    int
	dir     string
	bin     string
	runAs   []string // runuser prefix when running as root
	running bool
}

// StartPostgresServer initialises a throw-away cluster (trust auth, fsync
// off) with the local PostgreSQL binaries, starts it on a free port and
// removes it when t ends. Without the binaries the test is skipped (or fails
// when servers are required). As root, the server runs as user postgres.
func StartPostgresServer(t testing.TB) *PostgresServer {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		unavailable(t, "PostgreSQL server binaries (initdb, pg_ctl) not found")
	}
	dir, err := os.MkdirTemp("", "keel-pg-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	s := &PostgresServer{t: t, port: FreePort(t), dir: dir, bin: bin}
	t.Cleanup(func() {
		s.Stop()
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			unavailable(t, "running as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		s.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	s.run("initdb", "-D", s.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
	s.Start()
	return s
}

func postgresBin() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func (s *PostgresServer) data() string { return filepath.Join(s.dir, "data") }

func (s *PostgresServer) run(tool string, args ...string) {
	s.t.Helper()
	argv := append(append([]string{}, s.runAs...), filepath.Join(s.bin, tool))
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("testenv: %s: %v\n%s", tool, err, out)
	}
}

// URL returns the server's URL for the "pgx" driver (database postgres).
func (s *PostgresServer) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the server if it is stopped and waits until it accepts
// connections. The port and data stay the same across restarts.
func (s *PostgresServer) Start() {
	s.t.Helper()
	if s.running {
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", s.port, s.dir)
	s.run("pg_ctl", "-D", s.data(), "-o", opts, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "30", "start")
	s.running = true
}

// Stop stops the server at once (pg_ctl -m immediate), as a crash would:
// open connections are cut. Stopping a stopped server does nothing.
func (s *PostgresServer) Stop() {
	if !s.running {
		return
	}
	s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
	s.running = false
}
