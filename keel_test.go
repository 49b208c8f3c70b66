package keel_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) { e.mu.Lock(); e.list = append(e.list, s); e.mu.Unlock() }
func (e *events) get() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.list, ",")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAppShutdownOrder(t *testing.T) {
	var ev events
	inFlight, release := make(chan struct{}), make(chan struct{})
	app := keel.New("test", keel.WithAdmin("127.0.0.1:0"), keel.WithSignals())
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(inFlight)
		<-release
		ev.add("request-done")
		_, _ = io.WriteString(w, "ok")
	})
	app.Serve("127.0.0.1:0", mux)
	app.Go(func(ctx context.Context) error {
		<-ctx.Done()
		ev.add("component-stopped")
		return nil
	})
	app.Check("dep", func(ctx context.Context) error { return nil })
	app.OnStop(func(ctx context.Context) error { ev.add("stop-1"); return nil })
	app.OnStop(func(ctx context.Context) error { ev.add("stop-2"); return nil })

	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- app.Run(ctx) }()
	<-app.Started()
	addrs := app.Addrs()
	api, admin := "http://"+addrs[0].String(), "http://"+addrs[1].String()

	if code, body := get(t, admin+"/readyz"); code != 200 || !strings.Contains(body, `"dep"`) {
		t.Fatalf("readyz before shutdown: %d %s", code, body)
	}
	if code, body := get(t, admin+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics: %d", code)
	}
	if code, _ := get(t, admin+"/debug/pprof/"); code != 200 {
		t.Fatalf("pprof: %d", code)
	}

	slow := make(chan string, 1)
	go func() {
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get(api + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		slow <- string(b)
	}()
	<-inFlight
	cancel()
	// Readiness flips to 503 while the request is still in flight.
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, _ := get(t, admin+"/readyz")
		if code == 503 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz never went 503")
		}
		time.Sleep(5 * time.Millisecond) // polling an external endpoint
	}
	if got := ev.get(); got != "" {
		t.Fatalf("events before the request finished: %s", got)
	}
	close(release)
	if body := <-slow; body != "ok" {
		t.Fatalf("in-flight request: %q", body)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got, want := ev.get(), "request-done,component-stopped,stop-2,stop-1"; got != want {
		t.Fatalf("order %s, want %s", got, want)
	}
}

func TestAppComponentFailureStops(t *testing.T) {
	boom := errors.New("boom")
	app := keel.New("test", keel.WithSignals())
	stopped := make(chan struct{})
	app.Go(func(ctx context.Context) error { <-ctx.Done(); close(stopped); return ctx.Err() })
	app.Go(func(ctx context.Context) error { return boom })
	err := app.Run(context.Background())
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want boom", err)
	}
	<-stopped
}

func TestAppComponentPanic(t *testing.T) {
	app := keel.New("test", keel.WithSignals())
	app.Go(func(ctx context.Context) error { panic("kaboom") })
	err := app.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("Run = %v", err)
	}
}

func TestAppPortTaken(t *testing.T) {
	a1 := keel.New("one", keel.WithSignals())
	a1.Serve("127.0.0.1:0", http.NotFoundHandler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a1.Run(ctx) }()
	<-a1.Started()
	a2 := keel.New("two", keel.WithSignals())
	a2.Serve(a1.Addrs()[0].String(), http.NotFoundHandler())
	if err := a2.Run(context.Background()); err == nil {
		t.Fatal("second app on a taken port ran")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAppShutdownDeadline(t *testing.T) {
	app := keel.New("test", keel.WithSignals(), keel.WithShutdownTimeout(50*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	app.Go(func(ctx context.Context) error { <-release; return nil }) // ignores ctx
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := app.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not stop") {
		t.Fatalf("Run = %v", err)
	}
}
