package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

// echoSubject answers 200 with the subject in the context, or "anonymous".
var echoSubject = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if c := auth.ClaimsFrom(r.Context()); c != nil {
		_, _ = w.Write([]byte(c.Subject))
		return
	}
	_, _ = w.Write([]byte("anonymous"))
})

func signTest(t *testing.T, c auth.Claims) string {
	t.Helper()
	s, err := auth.NewSigner(keysOnce().hs, auth.WithClock(fixedClock), auth.WithIssuer(testIss), auth.WithAudience(testAud))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func serve(h http.Handler, mod func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	mod(req)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	v, _, _ := newTestVerifier(t)
	tok := signTest(t, auth.Claims{Subject: "u1"})
	strict := auth.Middleware(v, auth.WithRealm("api"))(echoSubject)
	cookie := auth.Middleware(v, auth.WithCookie("at"))(echoSubject)
	anon := auth.Middleware(v, auth.WithAnonymous())(echoSubject)
	cases := []struct {
		name      string
		h         http.Handler
		mod       func(*http.Request)
		status    int
		body      string
		challenge string
	}{
		{"bearer", strict, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, 200, "u1", ""},
		{"bearer lower case", strict, func(r *http.Request) { r.Header.Set("Authorization", "bearer "+tok) }, 200, "u1", ""},
		{"no token", strict, func(r *http.Request) {}, 401, "", `Bearer realm="api"`},
		{"basic auth", strict, func(r *http.Request) { r.SetBasicAuth("a", "b") }, 401, "", `Bearer realm="api", error="invalid_token"`},
		{"cookie ignored without option", strict, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "at", Value: tok}) }, 401, "", `Bearer realm="api"`},
		{"cookie", cookie, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "at", Value: tok}) }, 200, "u1", ""},
		{"bad cookie", cookie, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "at", Value: "x.y.z"}) }, 401, "", `Bearer error="invalid_token"`},
		{"anonymous", anon, func(r *http.Request) {}, 200, "anonymous", ""},
		{"anonymous with bad token", anon, func(r *http.Request) { r.Header.Set("Authorization", "Bearer junk") }, 401, "", `Bearer error="invalid_token"`},
		{"anonymous with good token", anon, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, 200, "u1", ""},
	}
	for _, tc := range cases {
		rec := serve(tc.h, tc.mod)
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.status)
			continue
		}
		if tc.status == 200 && rec.Body.String() != tc.body {
			t.Errorf("%s: body %q", tc.name, rec.Body)
		}
		if got := rec.Header().Get("WWW-Authenticate"); tc.challenge != "" && !strings.HasPrefix(got, tc.challenge) {
			t.Errorf("%s: WWW-Authenticate %q, want prefix %q", tc.name, got, tc.challenge)
		}
		if tc.status == 401 {
			var p struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 401 || p.Detail == "" {
				t.Errorf("%s: problem body %s (%v)", tc.name, rec.Body, err)
			}
		}
	}
}

func TestMiddlewareExpiredDescription(t *testing.T) {
	t.Parallel()
	tok := signTest(t, auth.Claims{Subject: "u1"})
	past, _ := auth.NewVerifier(mustKeySet(t, keysOnce().hs), auth.WithClock(func() time.Time { return testNow.Add(auth.DefaultTokenTTL * 2) }))
	rec := serve(auth.Middleware(past)(echoSubject), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	if rec.Code != 401 || !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error_description="The token has expired"`) {
		t.Errorf("status %d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}

// A key source that cannot answer gives 503, not 401.
type failingKeys struct{}

func (failingKeys) Key(context.Context, string) (*auth.Key, error) {
	return nil, errors.New("backend down")
}

func TestMiddlewareKeySourceDown(t *testing.T) {
	t.Parallel()
	v, err := auth.NewVerifier(failingKeys{})
	if err != nil {
		t.Fatal(err)
	}
	tok := signTest(t, auth.Claims{Subject: "u1"})
	rec := serve(auth.Middleware(v)(echoSubject), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
}

func TestMiddlewareBadOptionsPanic(t *testing.T) {
	t.Parallel()
	v, _, _ := newTestVerifier(t)
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "auth: ") {
			t.Errorf("panic = %v", r)
		}
	}()
	auth.Middleware(v, auth.WithLeeway(0))
}

func TestRequireScope(t *testing.T) {
	t.Parallel()
	h := auth.RequireScope("todos.read", "todos.write")(echoSubject)
	withClaims := func(c *auth.Claims) func(*http.Request) {
		return func(r *http.Request) { *r = *r.WithContext(auth.WithClaims(r.Context(), c)) }
	}
	if rec := serve(h, func(*http.Request) {}); rec.Code != 401 {
		t.Errorf("no claims: %d", rec.Code)
	}
	rec := serve(h, withClaims(&auth.Claims{Subject: "u", Scopes: auth.Scopes{"todos.read"}}))
	if rec.Code != 403 || rec.Header().Get("WWW-Authenticate") != `Bearer error="insufficient_scope", scope="todos.read todos.write"` {
		t.Errorf("missing scope: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	if rec := serve(h, withClaims(&auth.Claims{Subject: "u", Scopes: auth.Scopes{"todos.write", "todos.read"}})); rec.Code != 200 {
		t.Errorf("all scopes: %d", rec.Code)
	}
}

func TestScopesJSON(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`"a b  c"`: "a,b,c", `["a","b"]`: "a,b", `""`: ""} {
		var s auth.Scopes
		if err := json.Unmarshal([]byte(in), &s); err != nil || strings.Join(s, ",") != want {
			t.Errorf("%s: %v, %v", in, s, err)
		}
	}
	if err := json.Unmarshal([]byte(`3`), new(auth.Scopes)); err == nil {
		t.Error("number accepted as scopes")
	}
}

func mustKeySet(t *testing.T, keys ...*auth.Key) *auth.KeySet {
	t.Helper()
	ks, err := auth.NewKeySet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}
