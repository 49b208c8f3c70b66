package ratelimit

import (
	"net/http"
	"strconv"
	"time"
)

// Header field names written by [Middleware].
const (
	// HeaderPolicy is the quota policy field of
	// draft-ietf-httpapi-ratelimit-headers: `"default";q=100;w=60`.
	HeaderPolicy = "RateLimit-Policy"
	// HeaderRateLimit is the current-limit field of the same draft:
	// `"default";r=50;t=30`.
	HeaderRateLimit = "RateLimit"
)

// seconds rounds d up to whole seconds, at least min.
func seconds(d time.Duration, min int64) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	if s < min {
		return min
	}
	return s
}

// policyHeader renders a RateLimit-Policy item: q is the quota, w the
// window in seconds.
func policyHeader(name string, l Limit, alg Limiter) string {
	q, w := l.BurstSize(), l.Window()
	if _, ok := alg.(*SlidingWindow); ok {
		q, w = l.Events, l.Period
	}
	return `"` + name + `";q=` + strconv.Itoa(q) + ";w=" + strconv.FormatInt(seconds(w, 1), 10)
}

// Canonical forms of the header names, so that setting them is a map
// assignment (http.Header.Set would canonicalise, and allocate, each time).
var (
	canonicalPolicy    = http.CanonicalHeaderKey(HeaderPolicy)
	canonicalRateLimit = http.CanonicalHeaderKey(HeaderRateLimit)
)

// policyKey identifies a RateLimit-Policy value: the limit, and whether it
// is counted as a sliding window (which declares its quota differently).
type policyKey struct {
	limit   Limit
	sliding bool
}

// setHeaders writes the rate limit fields for res.
func (c *mwConfig) setHeaders(h http.Header, lim Limiter, res Result) {
	if p, ok := lim.(Policy); ok {
		// A limiter's limit never changes: build its value once per
		// middleware. len == cap, so an Add elsewhere cannot write into it.
		_, sliding := lim.(*SlidingWindow)
		k := policyKey{p.Limit(), sliding}
		v, ok := c.policies.Load(k)
		if !ok {
			v, _ = c.policies.LoadOrStore(k, []string{policyHeader(c.policyName, p.Limit(), lim)}[:1:1])
		}
		h[canonicalPolicy] = v.([]string)
	}
	reset := seconds(res.ResetAfter, 0)
	var buf [64]byte
	b := append(buf[:0], '"')
	b = append(b, c.policyName...)
	b = append(b, `";r=`...)
	b = strconv.AppendInt(b, int64(res.Remaining), 10)
	b = append(b, ";t="...)
	b = strconv.AppendInt(b, reset, 10)
	h[canonicalRateLimit] = []string{string(b)}
	if c.legacy {
		h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	}
}

// validPolicyName reports whether s can be a policy name: a non-empty
// structured-field string of printable ASCII without quote or backslash.
func validPolicyName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
