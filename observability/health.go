package observability

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCheckTimeout bounds each health check unless [CheckTimeout] says otherwise.
const DefaultCheckTimeout = 2 * time.Second

// ErrDraining is the readiness failure reported after [Health.Drain]: the
// instance is shutting down and should get no new traffic.
var ErrDraining = errors.New("observability: draining")

// Health is a registry of named health checks served as /livez and /readyz.
// Checks run concurrently, each under its own timeout. Create one with
// [NewHealth]; it is safe for concurrent use.
type Health struct {
	mu       sync.RWMutex
	ready    []check
	live     []check
	draining atomic.Bool
	now      func() time.Time
}

type check struct {
	name    string
	fn      func(context.Context) error
	timeout time.Duration
}

// CheckOption configures one check.
type CheckOption func(*check)

// CheckTimeout sets a check's timeout (default 2 s). A check that ignores
// its context is reported as failed at the timeout; its goroutine ends when
// the check returns.
func CheckTimeout(d time.Duration) CheckOption {
	return func(c *check) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// NewHealth returns an empty registry: live and ready until checks say otherwise.
func NewHealth() *Health { return &Health{now: time.Now} }

// AddReadiness registers a check that must pass for the instance to take
// traffic (/readyz): a database ping, a cache connection.
func (h *Health) AddReadiness(name string, fn func(context.Context) error, opts ...CheckOption) {
	h.add(&h.ready, name, fn, opts)
}

// AddLiveness registers a check that must pass for the process to be
// considered alive (/livez). Keep these to in-process conditions (a stuck
// loop); a failing dependency belongs in readiness, or the orchestrator
// restarts healthy processes.
func (h *Health) AddLiveness(name string, fn func(context.Context) error, opts ...CheckOption) {
	h.add(&h.live, name, fn, opts)
}

func (h *Health) add(list *[]check, name string, fn func(context.Context) error, opts []CheckOption) {
	if fn == nil {
		panic("observability: nil health check " + name)
	}
	c := check{name: name, fn: fn, timeout: DefaultCheckTimeout}
	for _, o := range opts {
		o(&c)
	}
	h.mu.Lock()
	*list = append(*list, c)
	h.mu.Unlock()
}

// Drain marks the instance not ready, for good: /readyz answers 503 from now
// on, so load balancers stop sending traffic before the server drains.
func (h *Health) Drain() { h.draining.Store(true) }

// Report is the JSON body of /livez and /readyz.
type Report struct {
	// Status is "ok" or "fail".
	Status string `json:"status"`
	// Checks holds each check's result by name.
	Checks map[string]CheckResult `json:"checks,omitempty"`
}

// CheckResult is one check's outcome.
type CheckResult struct {
	Status    string  `json:"status"`
	Error     string  `json:"error,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
}

// OK reports whether every check passed.
func (r Report) OK() bool { return r.Status == "ok" }

// Ready runs the readiness checks concurrently and reports.
func (h *Health) Ready(ctx context.Context) Report {
	rep := h.run(ctx, &h.ready)
	if h.draining.Load() {
		rep.Status = "fail"
		if rep.Checks == nil {
			rep.Checks = map[string]CheckResult{}
		}
		rep.Checks["shutdown"] = CheckResult{Status: "fail", Error: ErrDraining.Error()}
	}
	return rep
}

// Live runs the liveness checks concurrently and reports.
func (h *Health) Live(ctx context.Context) Report { return h.run(ctx, &h.live) }

func (h *Health) run(ctx context.Context, list *[]check) Report {
	h.mu.RLock()
	checks := append([]check(nil), (*list)...)
	h.mu.RUnlock()
	rep := Report{Status: "ok"}
	if len(checks) == 0 {
		return rep
	}
	results := make([]CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.runOne(ctx, c)
		}()
	}
	wg.Wait()
	rep.Checks = make(map[string]CheckResult, len(checks))
	for i, c := range checks {
		rep.Checks[c.name] = results[i]
		if results[i].Status != "ok" {
			rep.Status = "fail"
		}
	}
	return rep
}

func (h *Health) runOne(ctx context.Context, c check) (res CheckResult) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := h.now()
	defer func() { res.LatencyMS = float64(h.now().Sub(start).Microseconds()) / 1000 }()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("panic: %v", v)
			}
		}()
		done <- c.fn(ctx)
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("timed out after %s", c.timeout)
	}
	if err != nil {
		return CheckResult{Status: "fail", Error: err.Error()}
	}
	return CheckResult{Status: "ok"}
}

// LivezHandler serves the liveness report: 200 when every liveness check
// passes, 503 otherwise. The JSON body lists each check.
func (h *Health) LivezHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeReport(w, h.Live(r.Context())) })
}

// ReadyzHandler serves the readiness report: 200 when every readiness check
// passes and the instance is not draining, 503 otherwise.
func (h *Health) ReadyzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeReport(w, h.Ready(r.Context())) })
}

func writeReport(w http.ResponseWriter, rep Report) {
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rep)
}

// Names returns the registered readiness and liveness check names, sorted.
func (h *Health) Names() (readiness, liveness []string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, c := range h.ready {
		readiness = append(readiness, c.name)
	}
	for _, c := range h.live {
		liveness = append(liveness, c.name)
	}
	sort.Strings(readiness)
	sort.Strings(liveness)
	return readiness, liveness
}
