package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gokeel/keel/httpx"
)

// MiddlewareOption configures [Middleware].
type MiddlewareOption func(*mwConfig)

type mwConfig struct {
	exempt     map[string]bool
	skip       []func(*http.Request) bool
	routes     map[string]Limiter
	policyName string
	legacy     bool
	onKeyError func(http.ResponseWriter, *http.Request, error)
	policies   sync.Map // policyKey → []string: RateLimit-Policy values, built once
}

// WithExemptPaths exempts requests whose URL path is exactly one of paths
// (health checks, metrics) from limiting.
func WithExemptPaths(paths ...string) MiddlewareOption {
	return func(c *mwConfig) {
		for _, p := range paths {
			c.exempt[p] = true
		}
	}
}

// WithSkip exempts requests for which skip returns true.
func WithSkip(skip func(*http.Request) bool) MiddlewareOption {
	return func(c *mwConfig) {
		if skip == nil {
			panic("ratelimit: WithSkip(nil)")
		}
		c.skip = append(c.skip, skip)
	}
}

// WithRouteLimit limits requests whose route pattern (r.Pattern, such as
// "POST /login") is pattern with lim instead of the middleware's limiter.
func WithRouteLimit(pattern string, lim Limiter) MiddlewareOption {
	return func(c *mwConfig) {
		if lim == nil {
			panic("ratelimit: WithRouteLimit(" + strconv.Quote(pattern) + ", nil)")
		}
		c.routes[pattern] = lim
	}
}

// WithPolicyName names the quota policy in the RateLimit and
// RateLimit-Policy headers ("default" by default). It panics on a name
// that is not printable ASCII, or holds a quote or backslash.
func WithPolicyName(name string) MiddlewareOption {
	return func(c *mwConfig) {
		if !validPolicyName(name) {
			panic("ratelimit: WithPolicyName: invalid name " + strconv.Quote(name))
		}
		c.policyName = name
	}
}

// WithLegacyHeaders also writes X-RateLimit-Limit, X-RateLimit-Remaining
// and X-RateLimit-Reset (seconds until the limit is full again), for
// clients that predate the IETF fields.
func WithLegacyHeaders() MiddlewareOption {
	return func(c *mwConfig) { c.legacy = true }
}

// WithKeyErrorHandler sets what happens when the key function fails. The
// default answers 400 Bad Request as a problem response.
func WithKeyErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) MiddlewareOption {
	return func(c *mwConfig) {
		if h == nil {
			panic("ratelimit: WithKeyErrorHandler(nil)")
		}
		c.onKeyError = h
	}
}

func defaultKeyError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteProblem(w, r, &httpx.Error{
		Status: http.StatusBadRequest,
		Detail: "The request does not identify its client for rate limiting.",
		Err:    err,
	})
}

// Middleware returns HTTP middleware that limits requests with lim, keyed
// by key.
//
// Every limited response carries the RateLimit-Policy and RateLimit header
// fields of draft-ietf-httpapi-ratelimit-headers (and the legacy
// X-RateLimit-* ones with [WithLegacyHeaders]). A denied request gets 429
// Too Many Requests as an application/problem+json response with
// Retry-After. When the limiter fails ([ErrUnavailable]) its failure policy
// decides: allowed requests go through without rate limit headers, denied
// ones get 503 with Retry-After. An allowed Result with a Delay (the leaky
// bucket) waits that long before the handler runs, or until the client
// goes away.
//
// It panics if lim or key is nil, a wiring mistake.
func Middleware(lim Limiter, key KeyFunc, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	if lim == nil || key == nil {
		panic("ratelimit: Middleware needs a limiter and a key function")
	}
	c := &mwConfig{
		exempt:     map[string]bool{},
		routes:     map[string]Limiter{},
		policyName: "default",
		onKeyError: defaultKeyError,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.skipped(r) {
				next.ServeHTTP(w, r)
				return
			}
			l := lim
			if rl, ok := c.routes[r.Pattern]; ok && r.Pattern != "" {
				l = rl
			}
			k, err := key(r)
			if err != nil {
				c.onKeyError(w, r, err)
				return
			}
			res, err := l.Allow(r.Context(), k)
			if err != nil {
				c.limiterError(w, r, next, res, err)
				return
			}
			c.setHeaders(w.Header(), l, res)
			if !res.Allowed {
				retry := seconds(res.RetryAfter, 1)
				httpx.WriteProblem(w, r, &httpx.Error{
					Status: http.StatusTooManyRequests,
					Detail: fmt.Sprintf("Rate limit exceeded; retry in %d s.", retry),
					Header: http.Header{"Retry-After": {strconv.FormatInt(retry, 10)}},
				})
				return
			}
			if res.Delay > 0 && !wait(r, res.Delay) {
				return // the client went away while queued
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (c *mwConfig) skipped(r *http.Request) bool {
	if c.exempt[r.URL.Path] {
		return true
	}
	for _, s := range c.skip {
		if s(r) {
			return true
		}
	}
	return false
}

func (c *mwConfig) limiterError(w http.ResponseWriter, r *http.Request, next http.Handler, res Result, err error) {
	if !errors.Is(err, ErrUnavailable) {
		httpx.WriteError(w, r, err)
		return
	}
	if res.Allowed {
		next.ServeHTTP(w, r)
		return
	}
	httpx.WriteProblem(w, r, &httpx.Error{
		Status: http.StatusServiceUnavailable,
		Detail: "Rate limiting is unavailable; retry shortly.",
		Header: http.Header{"Retry-After": {strconv.FormatInt(seconds(res.RetryAfter, 1), 10)}},
		Err:    err,
	})
}

// wait blocks for d or until the request's context ends; it reports
// whether the full delay passed.
func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
