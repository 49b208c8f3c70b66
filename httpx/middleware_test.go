package httpx

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestRecover(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.ErrorLevel)
	h := RequestID()(RecoverWithOptions(RecoverOptions{Logger: zap.New(core)})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom secret")
	})))
	rec := serve(h, "GET", "/p")
	p := decodeProblem(t, rec)
	if rec.Code != 500 || containsStr(rec.Body.String(), "boom") || p.RequestID == "" {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
	entries := logs.All()
	if len(entries) != 1 || entries[0].ContextMap()["panic"] != "boom secret" || entries[0].ContextMap()["stack"] == "" {
		t.Fatalf("log entries %+v", entries)
	}

	abort := Recover()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want ErrAbortHandler re-panicked", v)
		}
	}()
	serve(abort, "GET", "/a")
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	var got string
	h := RequestID()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = RequestIDFrom(r.Context()) }))
	cases := []struct {
		in   string
		keep bool
	}{
		{"abc-123", true},
		{"", false},
		{"bad id with spaces", false},
		{"x\r\nSet-Cookie: a=b", false},
		{string(make([]byte, 129)), false},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/", nil)
		if c.in != "" {
			req.Header.Set("X-Request-ID", c.in)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got == "" || rec.Header().Get("X-Request-ID") != got {
			t.Fatalf("in %q: ctx %q header %q", c.in, got, rec.Header().Get("X-Request-ID"))
		}
		if (got == c.in) != c.keep {
			t.Fatalf("in %q: got %q, keep=%v", c.in, got, c.keep)
		}
	}
}

func TestClientIPFromHeaders(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("10.0.0.0/8", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote string
		hdr          map[string]string
		want         string
	}{
		{"no proxy", "203.0.113.5:1234", nil, "203.0.113.5"},
		{"untrusted peer spoofing", "203.0.113.5:1234", map[string]string{"X-Forwarded-For": "1.1.1.1"}, "203.0.113.5"},
		{"trusted peer", "10.1.2.3:80", map[string]string{"X-Forwarded-For": "198.51.100.7"}, "198.51.100.7"},
		{"chain skips trusted", "10.1.2.3:80", map[string]string{"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"single trusted addr", "192.0.2.1:80", map[string]string{"X-Forwarded-For": "198.51.100.8"}, "198.51.100.8"},
		{"forwarded header", "10.1.2.3:80", map[string]string{"Forwarded": `for="[2001:db8::1]:4711";proto=https`}, "2001:db8::1"},
		{"garbage hop", "10.1.2.3:80", map[string]string{"X-Forwarded-For": "nonsense"}, "10.1.2.3"},
		{"all trusted", "10.1.2.3:80", map[string]string{"X-Forwarded-For": "10.0.0.9"}, "10.0.0.9"},
		{"v4-mapped", "[::ffff:203.0.113.9]:80", nil, "203.0.113.9"},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		got := ClientIPFromHeaders(c.remote, h, trusted)
		if got.String() != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Fatal("bad CIDR accepted")
	}
}

func TestRealIPMiddleware(t *testing.T) {
	t.Parallel()
	var got netip.Addr
	h := RealIP(netip.MustParsePrefix("127.0.0.0/8"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) }))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:5555"
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.String() != "198.51.100.1" {
		t.Fatalf("ClientIP = %s", got)
	}
}

func FuzzClientIPFromHeaders(f *testing.F) {
	f.Add("10.0.0.1:80", "1.2.3.4, 10.0.0.2", `for=192.0.2.60;proto=http`)
	f.Add("[::1]:1", "", `for="[2001:db8:cafe::17]:4711"`)
	f.Add("garbage", "::::,,,", `for=`)
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, xff, fwd string) {
		h := http.Header{}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		if fwd != "" {
			h.Set("Forwarded", fwd)
		}
		ip := ClientIPFromHeaders(remote, h, trusted)
		peer := remoteIP(remote)
		if !isTrusted(peer, trusted) && ip != peer {
			t.Fatalf("untrusted peer %v but client %v", peer, ip)
		}
	})
}

func TestCORS(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	h := CORS(CORSOptions{AllowedOrigins: []string{"https://app.example.com", "https://*.example.org"}, AllowCredentials: true})(next)
	cases := []struct {
		name, method, origin, reqMethod, reqHeaders string
		status                                      int
		acao                                        string
	}{
		{"same origin", "POST", "http://example.com", "", "", 200, ""},
		{"no origin", "GET", "", "", "", 200, ""},
		{"allowed simple", "GET", "https://app.example.com", "", "", 200, "https://app.example.com"},
		{"wildcard sub", "GET", "https://a.example.org", "", "", 200, "https://a.example.org"},
		{"wildcard apex not matched", "GET", "https://example.org", "", "", 403, ""},
		{"unlisted simple", "POST", "https://evil.test", "", "", 403, ""},
		{"preflight ok", "OPTIONS", "https://app.example.com", "PATCH", "content-type, authorization", 204, "https://app.example.com"},
		{"preflight bad method", "OPTIONS", "https://app.example.com", "TRACE", "", 403, ""},
		{"preflight bad header", "OPTIONS", "https://app.example.com", "GET", "x-evil", 403, ""},
		{"preflight unlisted", "OPTIONS", "https://evil.test", "GET", "", 403, ""},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "http://example.com/x", nil)
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		if c.reqMethod != "" {
			req.Header.Set("Access-Control-Request-Method", c.reqMethod)
		}
		if c.reqHeaders != "" {
			req.Header.Set("Access-Control-Request-Headers", c.reqHeaders)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status || rec.Header().Get("Access-Control-Allow-Origin") != c.acao {
			t.Errorf("%s: %d ACAO %q, want %d %q", c.name, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), c.status, c.acao)
		}
		if rec.Header().Values("Vary")[0] != "Origin" {
			t.Errorf("%s: Vary = %v", c.name, rec.Header().Values("Vary"))
		}
		if c.acao != "" && rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("%s: credentials header missing", c.name)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("* with credentials did not panic")
			}
		}()
		CORS(CORSOptions{AllowedOrigins: []string{"*"}, AllowCredentials: true})
	}()
}

func TestSecureHeaders(t *testing.T) {
	t.Parallel()
	h := SecureHeaders()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := serve(h, "GET", "/")
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if rec.Header().Get(k) != v {
			t.Errorf("%s = %q", k, rec.Header().Get(k))
		}
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain HTTP")
	}
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS on TLS")
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	h := Timeout(time.Millisecond)(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		<-r.Context().Done()
		return r.Context().Err()
	}))
	rec := serve(h, "GET", "/slow")
	if rec.Code != 503 {
		t.Fatalf("status %d, want 503", rec.Code)
	}
}
