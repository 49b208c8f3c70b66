// Command loadgen drives an HTTP endpoint with a fixed number of concurrent
// clients for a fixed time and reports requests per second and latency
// percentiles. `loadgen bare` instead serves the baseline the todo API is
// compared with: a bare net/http handler returning the same JSON from a map.
//
//	go run ./examples/todo/loadgen -url http://127.0.0.1:8080/v1/todos/1 -H "Authorization: Bearer $TOKEN" -c 32 -d 10s
//	go run ./examples/todo/loadgen bare -addr 127.0.0.1:8090
//
// Every run is bounded by -d and -n; it only ever targets the URL given.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		bare(os.Args[2:])
		return
	}
	var (
		url      = flag.String("url", "", "target URL")
		method   = flag.String("method", "GET", "HTTP method")
		body     = flag.String("body", "", "request body (sent as application/json)")
		conc     = flag.Int("c", 32, "concurrent clients")
		dur      = flag.Duration("d", 10*time.Second, "duration")
		maxReqs  = flag.Int("n", 5_000_000, "stop after this many requests")
		asJSON   = flag.Bool("json", false, "print the result as JSON")
		hdrs     headers
		expected = flag.Int("status", 0, "expected status (0: any 2xx)")
	)
	flag.Var(&hdrs, "H", "request header \"Name: value\" (repeatable)")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -url is required")
		os.Exit(2)
	}
	res := run(*url, *method, *body, hdrs, *conc, *dur, *maxReqs, *expected)
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("%s %s: %d requests in %.1fs, %.0f req/s, p50 %s, p99 %s, errors %d\n",
		*method, *url, res.Requests, res.Seconds, res.RPS, res.P50, res.P99, res.Errors)
}

// result is one run's summary.
type result struct {
	Requests int64         `json:"requests"`
	Errors   int64         `json:"errors"`
	Seconds  float64       `json:"seconds"`
	RPS      float64       `json:"rps"`
	P50      time.Duration `json:"p50_ns"`
	P99      time.Duration `json:"p99_ns"`
}

func run(url, method, body string, hdrs []string, conc int, dur time.Duration, maxReqs, expected int) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int64
		budget    = make(chan struct{}, maxReqs)
	)
	for range maxReqs {
		budget <- struct{}{}
	}
	close(budget)
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<16)
			var localErrs int64
			for range budget {
				if ctx.Err() != nil {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, method, url, bytes.NewReader([]byte(body)))
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				for _, h := range hdrs {
					k, v, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						localErrs++
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if (expected == 0 && resp.StatusCode/100 != 2) || (expected != 0 && resp.StatusCode != expected) {
					localErrs++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			errs += localErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	return result{
		Requests: int64(len(latencies)), Errors: errs, Seconds: elapsed,
		RPS: float64(len(latencies)) / elapsed, P50: pct(0.50), P99: pct(0.99),
	}
}

// bare serves GET /v1/todos/{id} from a map with net/http alone.
func bare(args []string) {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	_ = fs.Parse(args)
	type todo struct {
		ID        int64     `json:"id"`
		Title     string    `json:"title"`
		Done      bool      `json:"done"`
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
	}
	now := time.Now().UTC()
	var mu sync.RWMutex
	todos := map[string]todo{"1": {ID: 1, Title: "buy milk", CreatedAt: now, UpdatedAt: now}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/todos/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		t, ok := todos[r.PathValue("id")]
		mu.RUnlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(t)
	})
	fmt.Fprintln(os.Stderr, "bare baseline on", *addr)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
