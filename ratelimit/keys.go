package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gokeel/keel/httpx"
)

// KeyFunc picks the key a request is limited by. A KeyFunc that cannot
// find its key returns an error wrapping [ErrNoKey].
type KeyFunc func(r *http.Request) (string, error)

// ByIP keys requests by client IP, as [httpx.ClientIP] finds it: behind
// [httpx.RealIP] the forwarding headers of trusted proxies are honoured,
// otherwise the peer address is used, so clients cannot spoof it. An IPv6
// client usually holds a whole /64; [ByIPPrefix](32, 64) keys by that.
func ByIP() KeyFunc {
	return func(r *http.Request) (string, error) {
		ip := httpx.ClientIP(r)
		if !ip.IsValid() {
			return "", fmt.Errorf("%w: no client IP in remote address %q", ErrNoKey, r.RemoteAddr)
		}
		return ip.String(), nil
	}
}

// ByIPPrefix is like [ByIP] but keys by the network the client IP is in:
// the first v4Bits of an IPv4 address, the first v6Bits of an IPv6 one.
// ByIPPrefix(32, 64) treats a whole IPv6 /64, which one client usually
// holds, as one key. It panics if the bit counts are out of range, a
// wiring mistake.
func ByIPPrefix(v4Bits, v6Bits int) KeyFunc {
	if v4Bits < 0 || v4Bits > 32 || v6Bits < 0 || v6Bits > 128 {
		panic(fmt.Sprintf("ratelimit: ByIPPrefix(%d, %d): bits out of range", v4Bits, v6Bits))
	}
	return func(r *http.Request) (string, error) {
		ip := httpx.ClientIP(r)
		if !ip.IsValid() {
			return "", fmt.Errorf("%w: no client IP in remote address %q", ErrNoKey, r.RemoteAddr)
		}
		bits := v6Bits
		if ip.Is4() {
			bits = v4Bits
		}
		p, err := ip.Prefix(bits)
		if err != nil { // unreachable: bits are checked above
			return "", fmt.Errorf("%w: %w", ErrNoKey, err)
		}
		return p.String(), nil
	}
}

// maxHeaderKey is the longest header value used as a key as it is; longer
// values are replaced by their SHA-256, so keys stay small in memory.
const maxHeaderKey = 64

// ByHeader keys requests by the value of a header, such as an API key. A
// request without the header gets an error wrapping [ErrNoKey]. Values
// longer than 64 bytes are keyed by their SHA-256 digest.
func ByHeader(name string) KeyFunc {
	name = http.CanonicalHeaderKey(name)
	return func(r *http.Request) (string, error) {
		v := r.Header.Get(name)
		if v == "" {
			return "", fmt.Errorf("%w: header %s is missing", ErrNoKey, name)
		}
		if len(v) > maxHeaderKey {
			sum := sha256.Sum256([]byte(v))
			return "sha256:" + hex.EncodeToString(sum[:]), nil
		}
		return v, nil
	}
}

// ByRoute keys requests by their route pattern (r.Pattern, such as
// "GET /todos/{id}"), which keel's Router and http.ServeMux set before
// the handler's middleware runs: all requests to one route share a limit.
// A request without a pattern gets an error wrapping [ErrNoKey].
func ByRoute() KeyFunc {
	return func(r *http.Request) (string, error) {
		if r.Pattern == "" {
			return "", fmt.Errorf("%w: request has no route pattern", ErrNoKey)
		}
		return r.Pattern, nil
	}
}

// ByFunc keys requests by f, such as the authenticated subject:
//
//	ratelimit.ByFunc(func(r *http.Request) (string, error) { return userID(r.Context()) })
func ByFunc(f func(*http.Request) (string, error)) KeyFunc {
	if f == nil {
		panic("ratelimit: ByFunc(nil)")
	}
	return KeyFunc(f)
}

// Composite keys requests by several keys at once, such as route and IP:
// Composite(ByRoute(), ByIP()). The parts are length-prefixed, so
// different parts never join into the same key. It fails if any part
// fails.
func Composite(parts ...KeyFunc) KeyFunc {
	for i, p := range parts {
		if p == nil {
			panic(fmt.Sprintf("ratelimit: Composite: part %d is nil", i))
		}
	}
	parts = append([]KeyFunc(nil), parts...)
	return func(r *http.Request) (string, error) {
		var b strings.Builder
		for _, p := range parts {
			k, err := p(r)
			if err != nil {
				return "", err
			}
			b.WriteString(strconv.Itoa(len(k)))
			b.WriteByte(':')
			b.WriteString(k)
		}
		return b.String(), nil
	}
}
