package ratelimit_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/ratelimit"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
})

func serve(h http.Handler, method, target string, mod func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if mod != nil {
		mod(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMiddlewareHeadersAnd429(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	lim := checked(ratelimit.NewMemory(ratelimit.PerMinute(2), ratelimit.WithClock(clk.Now)))(t)
	h := ratelimit.Middleware(lim, ratelimit.ByIP())(okHandler)

	w := serve(h, "GET", "/x", nil)
	if w.Code != http.StatusNoContent {
		t.Fatalf("first request: %d", w.Code)
	}
	if got := w.Header().Get("RateLimit-Policy"); got != `"default";q=2;w=60` {
		t.Errorf("RateLimit-Policy = %q", got)
	}
	if got := w.Header().Get("RateLimit"); got != `"default";r=1;t=30` {
		t.Errorf("RateLimit = %q", got)
	}
	if w.Header().Get("X-RateLimit-Limit") != "" {
		t.Errorf("legacy headers without WithLegacyHeaders")
	}
	serve(h, "GET", "/x", nil)
	w = serve(h, "GET", "/x", nil)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("third request: %d, want 429", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != httpx.ProblemContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	if ra := w.Header().Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After = %q, want 30", ra)
	}
	if got := w.Header().Get("RateLimit"); got != `"default";r=0;t=60` {
		t.Errorf("RateLimit on 429 = %q", got)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != 429 || p.Title != "Too Many Requests" {
		t.Errorf("problem body %s: %+v %v", w.Body, p, err)
	}
	// Another client is not affected.
	if w := serve(h, "GET", "/x", func(r *http.Request) { r.RemoteAddr = "198.51.100.7:1234" }); w.Code != http.StatusNoContent {
		t.Errorf("another IP: %d", w.Code)
	}
}

func TestMiddlewareOptions(t *testing.T) {
	t.Parallel()
	newLim := func(n int) ratelimit.Limiter {
		return checked(ratelimit.NewMemory(ratelimit.Per(n, time.Hour), ratelimit.WithClock(newFakeClock().Now)))(t)
	}
	t.Run("ExemptPaths", func(t *testing.T) {
		t.Parallel()
		h := ratelimit.Middleware(newLim(1), ratelimit.ByIP(), ratelimit.WithExemptPaths("/healthz"))(okHandler)
		for range 5 {
			w := serve(h, "GET", "/healthz", nil)
			if w.Code != http.StatusNoContent || w.Header().Get("RateLimit") != "" {
				t.Fatalf("exempt path limited: %d %v", w.Code, w.Header())
			}
		}
		serve(h, "GET", "/other", nil)
		if w := serve(h, "GET", "/other", nil); w.Code != http.StatusTooManyRequests {
			t.Fatalf("other path: %d", w.Code)
		}
	})
	t.Run("Skip", func(t *testing.T) {
		t.Parallel()
		h := ratelimit.Middleware(newLim(1), ratelimit.ByIP(),
			ratelimit.WithSkip(func(r *http.Request) bool { return r.Method == http.MethodOptions }))(okHandler)
		for range 3 {
			if w := serve(h, "OPTIONS", "/", nil); w.Code != http.StatusNoContent {
				t.Fatalf("skipped request: %d", w.Code)
			}
		}
	})
	t.Run("RouteLimit", func(t *testing.T) {
		t.Parallel()
		mw := ratelimit.Middleware(newLim(100), ratelimit.ByIP(), ratelimit.WithRouteLimit("POST /login", newLim(1)))
		mux := http.NewServeMux()
		mux.Handle("POST /login", mw(okHandler))
		mux.Handle("GET /items", mw(okHandler))
		if w := serve(mux, "POST", "/login", nil); w.Code != http.StatusNoContent {
			t.Fatalf("first login: %d", w.Code)
		}
		if w := serve(mux, "POST", "/login", nil); w.Code != http.StatusTooManyRequests {
			t.Fatalf("second login: %d, want 429", w.Code)
		}
		if w := serve(mux, "GET", "/items", nil); w.Code != http.StatusNoContent || !strings.Contains(w.Header().Get("RateLimit"), "r=99") {
			t.Fatalf("other route: %d %q", w.Code, w.Header().Get("RateLimit"))
		}
	})
	t.Run("LegacyAndPolicyName", func(t *testing.T) {
		t.Parallel()
		h := ratelimit.Middleware(newLim(10), ratelimit.ByIP(), ratelimit.WithLegacyHeaders(), ratelimit.WithPolicyName("api"))(okHandler)
		w := serve(h, "GET", "/", nil)
		want := map[string]string{
			"X-RateLimit-Limit":     "10",
			"X-RateLimit-Remaining": "9",
			"X-RateLimit-Reset":     "360",
			"RateLimit":             `"api";r=9;t=360`,
			"RateLimit-Policy":      `"api";q=10;w=3600`,
		}
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
	})
	t.Run("KeyError", func(t *testing.T) {
		t.Parallel()
		h := ratelimit.Middleware(newLim(10), ratelimit.ByHeader("X-API-Key"))(okHandler)
		if w := serve(h, "GET", "/", nil); w.Code != http.StatusBadRequest {
			t.Fatalf("missing key: %d, want 400", w.Code)
		}
		var got error
		h = ratelimit.Middleware(newLim(10), ratelimit.ByHeader("X-API-Key"),
			ratelimit.WithKeyErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				w.WriteHeader(http.StatusUnauthorized)
			}))(okHandler)
		if w := serve(h, "GET", "/", nil); w.Code != http.StatusUnauthorized || !errors.Is(got, ratelimit.ErrNoKey) {
			t.Fatalf("custom key error: %d %v", w.Code, got)
		}
	})
	t.Run("SlidingWindowPolicy", func(t *testing.T) {
		t.Parallel()
		lim := checked(ratelimit.NewSlidingWindow(ratelimit.PerMinute(100, ratelimit.Burst(7))))(t)
		w := serve(ratelimit.Middleware(lim, ratelimit.ByIP())(okHandler), "GET", "/", nil)
		if got := w.Header().Get("RateLimit-Policy"); got != `"default";q=100;w=60` {
			t.Errorf("RateLimit-Policy = %q", got)
		}
	})
}

// stubLimiter returns a fixed outcome.
type stubLimiter struct {
	res ratelimit.Result
	err error
}

func (s stubLimiter) Allow(ctx context.Context, key string) (ratelimit.Result, error) {
	return s.AllowN(ctx, key, 1)
}
func (s stubLimiter) AllowN(context.Context, string, int) (ratelimit.Result, error) {
	return s.res, s.err
}

func TestMiddlewareLimiterFailures(t *testing.T) {
	t.Parallel()
	down := errors.Join(ratelimit.ErrUnavailable, errors.New("dial tcp: refused"))
	tests := []struct {
		name string
		lim  stubLimiter
		code int
	}{
		{"FailOpen", stubLimiter{ratelimit.Result{Allowed: true}, down}, http.StatusNoContent},
		{"FailClosed", stubLimiter{ratelimit.Result{RetryAfter: time.Second}, down}, http.StatusServiceUnavailable},
		{"OtherError", stubLimiter{ratelimit.Result{}, errors.New("boom")}, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := serve(ratelimit.Middleware(tc.lim, ratelimit.ByIP())(okHandler), "GET", "/", nil)
			if w.Code != tc.code {
				t.Fatalf("code = %d, want %d", w.Code, tc.code)
			}
			if strings.Contains(w.Body.String(), "refused") || strings.Contains(w.Body.String(), "boom") {
				t.Fatalf("internal error leaked: %s", w.Body)
			}
			if tc.code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") != "1" {
				t.Fatalf("Retry-After = %q", w.Header().Get("Retry-After"))
			}
		})
	}
}

// recording remembers the last Result of the limiter it wraps.
type recording struct {
	ratelimit.Limiter
	last ratelimit.Result
}

func (r *recording) Allow(ctx context.Context, key string) (ratelimit.Result, error) {
	res, err := r.Limiter.Allow(ctx, key)
	r.last = res
	return res, err
}

func TestMiddlewareHonoursDelay(t *testing.T) {
	t.Parallel()
	called := false
	h := ratelimit.Middleware(stubLimiter{res: ratelimit.Result{Allowed: true, Delay: time.Hour}}, ratelimit.ByIP())(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	cctx, cancel := context.WithCancel(context.Background())
	cancel() // the client has gone away while queued
	serve(h, "GET", "/", func(r *http.Request) { *r = *r.WithContext(cctx) })
	if called {
		t.Fatal("handler ran before its delay, for a client that went away")
	}

	// A real leaky bucket: the second request waits its Delay.
	lim := &recording{Limiter: checked(ratelimit.NewLeakyBucket(ratelimit.PerSecond(50, ratelimit.Burst(2))))(t)}
	h = ratelimit.Middleware(lim, ratelimit.ByIP())(okHandler)
	serve(h, "GET", "/", nil)
	start := time.Now()
	if w := serve(h, "GET", "/", nil); w.Code != http.StatusNoContent {
		t.Fatalf("queued request: %d", w.Code)
	}
	if lim.last.Delay <= 0 || lim.last.Delay > 20*time.Millisecond {
		t.Fatalf("second request's delay = %v, want in (0, 20ms]", lim.last.Delay)
	}
	if d := time.Since(start); d < lim.last.Delay {
		t.Fatalf("queued request served after %v, before its delay of %v", d, lim.last.Delay)
	}
}

func TestKeyFuncs(t *testing.T) {
	t.Parallel()
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	long := strings.Repeat("k", 100)
	tests := []struct {
		name    string
		key     ratelimit.KeyFunc
		mod     func(*http.Request)
		want    string
		wantErr bool
	}{
		{"IP", ratelimit.ByIP(), func(r *http.Request) { r.RemoteAddr = "192.0.2.1:55" }, "192.0.2.1", false},
		{"IPNoAddr", ratelimit.ByIP(), func(r *http.Request) { r.RemoteAddr = "@" }, "", true},
		{"IPv6", ratelimit.ByIP(), func(r *http.Request) { r.RemoteAddr = "[2001:db8::1]:55" }, "2001:db8::1", false},
		{"IPPrefix6", ratelimit.ByIPPrefix(32, 64), func(r *http.Request) { r.RemoteAddr = "[2001:db8:1:2:3::1]:55" }, "2001:db8:1:2::/64", false},
		{"IPPrefix4", ratelimit.ByIPPrefix(24, 64), func(r *http.Request) { r.RemoteAddr = "192.0.2.77:55" }, "192.0.2.0/24", false},
		{"Header", ratelimit.ByHeader("x-api-key"), func(r *http.Request) { r.Header.Set("X-Api-Key", "abc") }, "abc", false},
		{"HeaderMissing", ratelimit.ByHeader("X-API-Key"), nil, "", true},
		{"HeaderLong", ratelimit.ByHeader("X-API-Key"), func(r *http.Request) { r.Header.Set("X-Api-Key", long) },
			"(checked below)", false},
		{"Route", ratelimit.ByRoute(), func(r *http.Request) { r.Pattern = "GET /items/{id}" }, "GET /items/{id}", false},
		{"RouteMissing", ratelimit.ByRoute(), nil, "", true},
		{"Func", ratelimit.ByFunc(func(*http.Request) (string, error) { return "u1", nil }), nil, "u1", false},
		{"Composite", ratelimit.Composite(ratelimit.ByRoute(), ratelimit.ByIP()),
			func(r *http.Request) { r.Pattern = "GET /"; r.RemoteAddr = "192.0.2.1:1" }, "5:GET /9:192.0.2.1", false},
		{"CompositeFails", ratelimit.Composite(ratelimit.ByIP(), ratelimit.ByRoute()), nil, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			if tc.mod != nil {
				tc.mod(r)
			}
			got, err := tc.key(r)
			if tc.wantErr {
				if !errors.Is(err, ratelimit.ErrNoKey) {
					t.Fatalf("err = %v, want ErrNoKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "HeaderLong" {
				if !strings.HasPrefix(got, "sha256:") || len(got) != 7+64 {
					t.Fatalf("key = %q, want a sha256 digest", got)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("key = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("IPBehindTrustedProxy", func(t *testing.T) {
		t.Parallel()
		var got string
		h := httpx.RealIP(proxy)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = ratelimit.ByIP()(r)
		}))
		serve(h, "GET", "/", func(r *http.Request) {
			r.RemoteAddr = "10.1.2.3:80"
			r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
		})
		if got != "203.0.113.9" {
			t.Fatalf("key behind a trusted proxy = %q", got)
		}
		// An untrusted peer cannot pick its key.
		serve(h, "GET", "/", func(r *http.Request) {
			r.RemoteAddr = "192.0.2.50:80"
			r.Header.Set("X-Forwarded-For", "203.0.113.9")
		})
		if got != "192.0.2.50" {
			t.Fatalf("spoofed key = %q", got)
		}
	})
}
