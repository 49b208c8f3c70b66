package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gokeel/keel/internal/reqctx"
)

// ParseTrustedProxies parses CIDR prefixes ("10.0.0.0/8") and single
// addresses ("192.0.2.1") for [RealIP]. The error names the bad entry.
func ParseTrustedProxies(entries ...string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("httpx: trusted proxy %q: %w", e, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, fmt.Errorf("httpx: trusted proxy %q: %w", e, err)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// RealIP returns middleware that works out the client's IP address and makes
// it available through [ClientIP].
//
// Forwarding headers are honoured only when the immediate peer is a trusted
// proxy: then X-Forwarded-For (or, when absent, the RFC 7239 Forwarded
// header) is read from right to left, skipping trusted proxies, and the first
// untrusted address is the client. Without trusted proxies the headers are
// ignored and the client is the peer, so a client cannot spoof its address.
func RealIP(trusted ...netip.Prefix) func(http.Handler) http.Handler {
	trusted = append([]netip.Prefix(nil), trusted...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := ClientIPFromHeaders(r.RemoteAddr, r.Header, trusted)
			if ip.IsValid() {
				var st *reqctx.State
				r, st = reqctx.Ensure(r)
				st.ClientIP = ip
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIP returns the client's IP address: the one found by [RealIP] when
// it ran, else the IP of r.RemoteAddr. It returns the zero Addr when neither
// is a valid address.
func ClientIP(r *http.Request) netip.Addr {
	if ip, ok := reqctx.ClientIP(r.Context()); ok {
		return ip
	}
	return remoteIP(r.RemoteAddr)
}

// ClientIPFromHeaders is the rule [RealIP] applies, as a pure function:
// the client address given the peer's remoteAddr ("ip:port"), the request
// headers and the trusted proxy prefixes. It never panics on any input.
func ClientIPFromHeaders(remoteAddr string, h http.Header, trusted []netip.Prefix) netip.Addr {
	peer := remoteIP(remoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	hops := forwardedHops(h)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		ip := parseHop(hops[i])
		if !ip.IsValid() {
			// A malformed hop ends the trusted chain: trust nothing further left.
			return client
		}
		client = ip
		if !isTrusted(ip, trusted) {
			return ip
		}
	}
	return client
}

func remoteIP(remoteAddr string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(remoteAddr); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedHops returns the hop addresses from X-Forwarded-For, or from
// Forwarded's for= parameters, in order (client first).
func forwardedHops(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, part := range strings.Split(line, ",") {
				hops = append(hops, strings.TrimSpace(part))
			}
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range strings.Split(line, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					hops = append(hops, strings.Trim(v, `"`))
				}
			}
		}
	}
	return hops
}

// parseHop parses "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:80" or "2001:db8::1".
func parseHop(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap()
		}
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.Unmap()
		}
	}
	return netip.Addr{}
}
