package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/internal/testenv"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	mem, _ := auth.NewMemoryTokenStore()
	red, _ := auth.NewRedisTokenStore(testenv.Redis(t), testenv.Name("keel-auth-test:"))
	for name, store := range map[string]auth.TokenStore{"memory": mem, "redis": red} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := auth.NewSessions(store, auth.WithCookie("sid"), auth.WithTTL(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			if err := s.Create(context.Background(), rec, auth.Claims{Subject: "u1", Roles: []string{"editor"}}); err != nil {
				t.Fatal(err)
			}
			cookies := rec.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v", cookies)
			}
			ck := cookies[0]
			if ck.Name != "sid" || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || len(ck.Value) < 40 {
				t.Errorf("cookie = %+v", ck)
			}
			protected := s.Middleware(false)(auth.Require(newTestRBAC(t), "todos:write")(echoSubject))
			withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "sid", Value: ck.Value}) }
			if rec := serve(protected, withCookie); rec.Code != 200 || rec.Body.String() != "u1" {
				t.Fatalf("with session: %d %s", rec.Code, rec.Body)
			}
			if rec := serve(protected, func(*http.Request) {}); rec.Code != 401 {
				t.Errorf("without session: %d", rec.Code)
			}
			if rec := serve(s.Middleware(true)(echoSubject), func(*http.Request) {}); rec.Body.String() != "anonymous" {
				t.Errorf("anonymous: %s", rec.Body)
			}
			// Log out: the cookie is cleared and the session is dead.
			req := httptest.NewRequest(http.MethodPost, "/logout", nil)
			withCookie(req)
			out := httptest.NewRecorder()
			if err := s.Destroy(out, req); err != nil {
				t.Fatal(err)
			}
			if c := out.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
				t.Errorf("logout cookie = %v", c)
			}
			if _, err := s.Get(req); !errors.Is(err, auth.ErrTokenRevoked) {
				t.Errorf("after logout: %v", err)
			}
			if rec := serve(protected, withCookie); rec.Code != 401 {
				t.Errorf("after logout: %d", rec.Code)
			}
		})
	}
}

func TestSessionsDestroyAll(t *testing.T) {
	t.Parallel()
	mem, _ := auth.NewMemoryTokenStore()
	s, _ := auth.NewSessions(mem)
	var reqs []*http.Request
	for range 2 {
		rec := httptest.NewRecorder()
		if err := s.Create(context.Background(), rec, auth.Claims{Subject: "u1"}); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(rec.Result().Cookies()[0])
		reqs = append(reqs, req)
	}
	if err := s.DestroyAll(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if _, err := s.Get(r); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Errorf("after DestroyAll: %v", err)
		}
	}
}

func TestSessionsOptions(t *testing.T) {
	t.Parallel()
	mem, _ := auth.NewMemoryTokenStore()
	if _, err := auth.NewSessions(mem, auth.WithInsecureCookie(), auth.WithSameSite(http.SameSiteNoneMode)); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("SameSite=None without Secure: %v", err)
	}
	if _, err := auth.NewSessions(mem, auth.WithCookie("bad name")); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("bad cookie name: %v", err)
	}
	if _, err := auth.NewSessions(mem, auth.WithLeeway(0)); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("verifier option: %v", err)
	}
	if err := func() error {
		s, _ := auth.NewSessions(mem)
		return s.Create(context.Background(), httptest.NewRecorder(), auth.Claims{})
	}(); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("session without subject: %v", err)
	}
}
