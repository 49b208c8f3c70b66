package httpx

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServerDrainsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	s := NewServer("127.0.0.1:0", h)
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx) }()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := client.Get("http://" + addr.String() + "/")
		if err != nil {
			res <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		res <- result{string(b), err}
	}()
	<-started
	cancel() // shut down while the request is in flight
	// New connections are refused once shutdown began.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr.String(), time.Second)
		if err != nil {
			break
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepting after shutdown began")
		}
		time.Sleep(5 * time.Millisecond) // polling an external condition
	}
	close(release)
	r := <-res
	if r.err != nil || r.body != "done" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestServerCutsOffSlowHeaders(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	s := NewServer("127.0.0.1:0", h, WithTimeouts(Timeouts{ReadHeader: 200 * time.Millisecond}))
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()

	slow, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	// Slowloris: the headers trickle in a byte at a time and never end.
	trickleDone := make(chan struct{})
	go func() {
		defer close(trickleDone)
		header := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 1000)
		for i := 0; i < len(header); i++ {
			if _, err := slow.Write([]byte{header[i]}); err != nil {
				return // the server hung up
			}
			time.Sleep(10 * time.Millisecond) // the attack's own pace
		}
	}()
	// A normal client is served while the slow one dawdles.
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + addr.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	// The slow connection is closed by the server (after ReadHeaderTimeout,
	// possibly with a 408 response first).
	_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(slow)
	for {
		_, err := br.ReadString('\n')
		if err == io.EOF {
			break
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("server did not cut off the slow client within 5s")
		}
		if err != nil {
			break
		}
	}
	<-trickleDone // its writes fail once the server has closed the connection
}
