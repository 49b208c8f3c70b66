package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gokeel/keel/internal/testenv"
)

// buildBinary compiles the service once per test binary.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "keel-todo-e2e")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "todo")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// server is one running todo process.
type server struct {
	t     *testing.T
	cmd   *exec.Cmd
	base  string
	admin string
	logs  *bytes.Buffer
	done  chan struct{} // closed when the process has exited
	err   error         // its exit status, once done is closed
}

// startServer runs the binary on free ports with env added to the defaults.
func startServer(t *testing.T, env ...string) *server {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	admin := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "ADDR="+addr, "ADMIN_ADDR="+admin, "DATA_DIR="+t.TempDir(),
		"ADMIN_EMAILS=boss@example.com", "AUTH_RATE_PER_MINUTE=30", "KEEL_LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	s := &server{t: t, cmd: cmd, base: "http://" + addr, admin: "http://" + admin, logs: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("server output:\n%s", s.logs.String())
		}
	})
	// Ready when /readyz answers 200.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.admin + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("server exited at start: %v\n%s", s.err, s.logs.String())
		case <-time.After(50 * time.Millisecond): // polling a starting process
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after 60s\n%s", s.logs.String())
		}
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

// do sends a request; body may be a string (sent raw) or a value (JSON).
func (s *server) do(method, path, token string, body any) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func (s *server) expect(method, path, token string, body any, status int) response {
	s.t.Helper()
	r := s.do(method, path, token, body)
	if r.status != status {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	return r
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func (s *server) signup(email string) tokens {
	s.t.Helper()
	creds := map[string]string{"email": email, "password": "correct horse battery"}
	s.expect("POST", "/v1/auth/register", "", creds, 201)
	var tk tokens
	s.expect("POST", "/v1/auth/login", "", creds, 200).json(s.t, &tk)
	if tk.TokenType != "Bearer" || tk.ExpiresIn <= 0 || tk.AccessToken == "" || tk.RefreshToken == "" {
		s.t.Fatalf("login response %+v", tk)
	}
	return tk
}

type todo struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Done      bool      `json:"done"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field string `json:"field"`
		Rule  string `json:"rule"`
	} `json:"errors"`
}

// backends are the configurations the end-to-end test runs against: SQLite
// with in-memory stores everywhere, and PostgreSQL with Redis when the test
// environment has them (CI does).
func backends(t *testing.T) map[string]func(t *testing.T) []string {
	return map[string]func(t *testing.T) []string{
		"sqlite+memory": func(t *testing.T) []string { return nil },
		"postgres+redis": func(t *testing.T) []string {
			pg := testenv.Postgres(t)
			rd := testenv.RedisAddr(t)
			if rd == "" {
				t.Skip("KEEL_TEST_REDIS is unset")
			}
			return []string{"DATABASE_URL=" + pg, "REDIS_URL=redis://" + rd, "REDIS_PREFIX=" + testenv.Name("todo") + ":"}
		},
		"mysql": func(t *testing.T) []string {
			dsn := testenv.MySQL(t) // user@tcp(host:port)/db?...
			user, rest, _ := strings.Cut(dsn, "@tcp(")
			host, rest, _ := strings.Cut(rest, ")/")
			name, _, _ := strings.Cut(rest, "?")
			return []string{"DATABASE_URL=mysql://" + user + "@" + host + "/" + name}
		},
	}
}

func TestEndToEnd(t *testing.T) {
	for name, env := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, env(t)...)
			testAPI(t, s)
		})
	}
}

func testAPI(t *testing.T, s *server) {
	alice := s.signup("alice@example.com")
	bob := s.signup("bob@example.com")
	boss := s.signup("boss@example.com")

	// A taken email is 409.
	s.expect("POST", "/v1/auth/register", "", map[string]string{"email": "Alice@example.com", "password": "another password"}, 409)

	// CRUD.
	var created todo
	r := s.expect("POST", "/v1/todos", alice.AccessToken, map[string]string{"title": "buy milk"}, 201)
	r.json(t, &created)
	if created.ID == 0 || created.Title != "buy milk" || created.Done || created.CreatedAt.IsZero() {
		t.Fatalf("created %+v", created)
	}
	path := fmt.Sprintf("/v1/todos/%d", created.ID)
	var got todo
	s.expect("GET", path, alice.AccessToken, nil, 200).json(t, &got)
	if got != created {
		t.Fatalf("got %+v, want %+v", got, created)
	}
	s.expect("PATCH", path, alice.AccessToken, map[string]any{"done": true}, 200).json(t, &got)
	if !got.Done || got.Title != "buy milk" {
		t.Fatalf("patched %+v", got)
	}
	s.expect("GET", path, alice.AccessToken, nil, 200).json(t, &got) // cache was invalidated
	if !got.Done {
		t.Fatalf("stale read after PATCH: %+v", got)
	}

	// Another user's todo is 404, for reading, changing and deleting.
	s.expect("GET", path, bob.AccessToken, nil, 404)
	s.expect("PATCH", path, bob.AccessToken, map[string]any{"title": "mine now"}, 404)
	s.expect("DELETE", path, bob.AccessToken, nil, 404)
	var page struct {
		Items      []todo  `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	s.expect("GET", "/v1/todos", bob.AccessToken, nil, 200).json(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("bob sees %+v", page.Items)
	}

	// The admin sees everything.
	s.expect("POST", "/v1/todos", bob.AccessToken, map[string]string{"title": "bob's"}, 201)
	s.expect("GET", "/v1/todos?limit=1", boss.AccessToken, nil, 200).json(t, &page)
	if len(page.Items) != 1 || page.NextCursor == nil {
		t.Fatalf("admin page 1: %+v", page)
	}
	s.expect("GET", "/v1/todos?limit=1&cursor="+*page.NextCursor, boss.AccessToken, nil, 200).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].Title != "bob's" || page.NextCursor != nil {
		t.Fatalf("admin page 2: %+v", page)
	}
	s.expect("GET", path, boss.AccessToken, nil, 200)
	s.expect("GET", "/v1/todos?done=true", alice.AccessToken, nil, 200).json(t, &page)
	if len(page.Items) != 1 {
		t.Fatalf("done filter: %+v", page)
	}

	// Bad input.
	var p problem
	s.expect("POST", "/v1/todos", alice.AccessToken, `{"title": "x"`, 400).json(t, &p)
	s.expect("POST", "/v1/todos", alice.AccessToken, `{"title": nope}`, 400).json(t, &p)
	if !strings.Contains(p.Detail, "offset") {
		t.Fatalf("malformed JSON detail %q", p.Detail)
	}
	s.expect("POST", "/v1/todos", alice.AccessToken, map[string]string{}, 422).json(t, &p)
	if len(p.Errors) != 1 || p.Errors[0].Field != "title" || p.Errors[0].Rule != "required" {
		t.Fatalf("422 problem %+v", p)
	}
	s.expect("POST", "/v1/todos", alice.AccessToken, map[string]string{"title": strings.Repeat("x", 201)}, 422)
	s.expect("GET", "/v1/todos?done=maybe", alice.AccessToken, nil, 400)
	s.expect("GET", "/v1/todos/..%2f..%2fetc", alice.AccessToken, nil, 404)
	s.expect("GET", "/v1/todos", "", nil, 401)
	s.expect("GET", "/v1/todos", "not.a.token", nil, 401)

	// Delete, then it is gone.
	s.expect("DELETE", path, alice.AccessToken, nil, 204)
	s.expect("GET", path, alice.AccessToken, nil, 404)

	// Refresh rotation and reuse detection.
	var next tokens
	s.expect("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": alice.RefreshToken}, 200).json(t, &next)
	if next.RefreshToken == alice.RefreshToken {
		t.Fatal("refresh token not rotated")
	}
	s.expect("GET", "/v1/todos", next.AccessToken, nil, 200)
	s.expect("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": alice.RefreshToken}, 401) // reuse
	s.expect("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": next.RefreshToken}, 401)  // family revoked
	// Logout revokes.
	s.expect("POST", "/v1/auth/logout", "", map[string]string{"refresh_token": bob.RefreshToken}, 204)
	s.expect("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": bob.RefreshToken}, 401)

	// JWKS.
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	s.expect("GET", "/.well-known/jwks.json", "", nil, 200).json(t, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0]["d"] != nil {
		t.Fatalf("jwks %+v", jwks)
	}

	// Admin port: metrics and health.
	resp, err := http.Get(s.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(body), `route="GET /v1/todos/{id}"`) {
		t.Fatalf("metrics lack the route label")
	}

	// A flood of logins from one IP gets 429 with Retry-After.
	creds := map[string]string{"email": "alice@example.com", "password": "wrong password!"}
	for i := 0; ; i++ {
		r := s.do("POST", "/v1/auth/login", "", creds)
		if r.status == 429 {
			if r.header.Get("Retry-After") == "" || r.header.Get("RateLimit") == "" {
				t.Fatalf("429 without Retry-After/RateLimit: %v", r.header)
			}
			break
		}
		if r.status != 401 || i > 100 {
			t.Fatalf("login %d: status %d", i, r.status)
		}
	}
}

// TestSIGTERMLosesNoRequest keeps clients busy while the process gets
// SIGTERM. The load generator behaves like a load balancer: it stops sending
// new requests once /readyz answers 503. Readiness flips first, the drain
// delay gives the generator time to notice, in-flight requests complete, and
// the process exits 0: every request sent gets its 200.
func TestSIGTERMLosesNoRequest(t *testing.T) {
	s := startServer(t, "API_RATE_PER_SECOND=1000000", "DRAIN_DELAY=500ms")
	tk := s.signup("load@example.com")
	s.expect("POST", "/v1/todos", tk.AccessToken, map[string]string{"title": "t"}, 201)

	var ready atomic.Bool
	ready.Store(true)
	var sent, ok, failed atomic.Int64
	var lastErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	wg.Add(1)
	go func() { // the "load balancer" health probe
		defer wg.Done()
		for ready.Load() {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			resp, err := c.Get(s.admin + "/readyz")
			if err != nil || resp.StatusCode != 200 {
				ready.Store(false)
			}
			if err == nil {
				_ = resp.Body.Close()
			}
		}
	}()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ready.Load() {
				req, _ := http.NewRequest("GET", s.base+"/v1/todos/1", nil)
				req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
				sent.Add(1)
				resp, err := c.Do(req)
				if err != nil {
					failed.Add(1)
					lastErr.Store(err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == 200 {
					ok.Add(1)
				} else {
					failed.Add(1)
					lastErr.Store(fmt.Errorf("status %d", resp.StatusCode))
				}
			}
		}()
	}
	// Let load build up, then ask the process to stop.
	deadline := time.Now().Add(10 * time.Second)
	for ok.Load() < 200 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // waiting for the load to build
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatal("process did not exit within 30s of SIGTERM")
	}
	close(stop)
	wg.Wait()
	t.Logf("requests: %d sent, %d completed with 200, %d failed", sent.Load(), ok.Load(), failed.Load())
	if s.err != nil {
		t.Fatalf("exit: %v", s.err)
	}
	if failed.Load() != 0 || sent.Load() != ok.Load() {
		t.Fatalf("%d of %d requests failed, last: %v", failed.Load(), sent.Load(), lastErr.Load())
	}
	if ok.Load() < 200 {
		t.Fatalf("only %d requests completed", ok.Load())
	}
}
