package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/auth/authtest"
	"github.com/gokeel/keel/internal/testenv"
)

func TestMemoryTokenStore(t *testing.T) {
	authtest.RunTokenStore(t, func(t *testing.T) auth.TokenStore {
		s, err := auth.NewMemoryTokenStore()
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestRedisTokenStore runs the suite on real Redis (KEEL_TEST_REDIS).
func TestRedisTokenStore(t *testing.T) {
	rdb := testenv.RealRedis(t)
	authtest.RunTokenStore(t, func(t *testing.T) auth.TokenStore {
		s, err := auth.NewRedisTokenStore(rdb, testenv.Name("keel-auth-test:"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestRedisTokenStoreEmbedded runs the suite on miniredis when no real
// Redis is configured (and on the real one when it is).
func TestRedisTokenStoreEmbedded(t *testing.T) {
	rdb := testenv.Redis(t)
	authtest.RunTokenStore(t, func(t *testing.T) auth.TokenStore {
		s, err := auth.NewRedisTokenStore(rdb, testenv.Name("keel-auth-test:"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func refreshManagers(t *testing.T) map[string]*auth.RefreshTokens {
	t.Helper()
	mem, _ := auth.NewMemoryTokenStore()
	out := map[string]*auth.RefreshTokens{}
	m, err := auth.NewRefreshTokens(mem, auth.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out["memory"] = m
	rs, _ := auth.NewRedisTokenStore(testenv.Redis(t), testenv.Name("keel-auth-test:"))
	if out["redis"], err = auth.NewRefreshTokens(rs); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRefreshTokenRotationAndReuse(t *testing.T) {
	t.Parallel()
	for name, m := range refreshManagers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rt1, err := m.Issue(ctx, auth.Claims{Subject: "u1", Roles: []string{"editor"}})
			if err != nil {
				t.Fatal(err)
			}
			rt2, c, err := m.Rotate(ctx, rt1)
			if err != nil || c.Subject != "u1" || !c.HasRole("editor") || rt2 == rt1 {
				t.Fatalf("Rotate = %q, %+v, %v", rt2, c, err)
			}
			rt3, _, err := m.Rotate(ctx, rt2)
			if err != nil {
				t.Fatal(err)
			}
			// rt1 is replayed by an attacker: reuse, family revoked.
			if _, _, err := m.Rotate(ctx, rt1); !errors.Is(err, auth.ErrTokenReused) {
				t.Fatalf("replay: %v", err)
			}
			if _, _, err := m.Rotate(ctx, rt3); !errors.Is(err, auth.ErrTokenRevoked) {
				t.Fatalf("latest token after reuse: %v", err)
			}
			if _, _, err := m.Rotate(ctx, "made-up"); !errors.Is(err, auth.ErrTokenInvalid) {
				t.Fatalf("unknown token: %v", err)
			}
			// Revoke by token and by user.
			a, _ := m.Issue(ctx, auth.Claims{Subject: "u2"})
			b, _ := m.Issue(ctx, auth.Claims{Subject: "u2"})
			if err := m.Revoke(ctx, a); err != nil {
				t.Fatal(err)
			}
			if _, _, err := m.Rotate(ctx, a); !errors.Is(err, auth.ErrTokenRevoked) {
				t.Fatalf("revoked token: %v", err)
			}
			b2, _, err := m.Rotate(ctx, b)
			if err != nil {
				t.Fatalf("other device: %v", err)
			}
			if err := m.RevokeSubject(ctx, "u2"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := m.Rotate(ctx, b2); !errors.Is(err, auth.ErrTokenRevoked) {
				t.Fatalf("after RevokeSubject: %v", err)
			}
		})
	}
}

func TestRefreshTokenExpiry(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	mem, _ := auth.NewMemoryTokenStore()
	m, err := auth.NewRefreshTokens(mem, auth.WithTTL(time.Hour), auth.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := m.Issue(context.Background(), auth.Claims{Subject: "u"})
	now = now.Add(2 * time.Hour)
	if _, _, err := m.Rotate(context.Background(), rt); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := auth.NewRefreshTokens(mem, auth.WithCookie("x")); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("WithCookie on NewRefreshTokens: %v", err)
	}
}

func TestRevocationList(t *testing.T) {
	t.Parallel()
	mem, _ := auth.NewMemoryRevocation(auth.WithClock(fixedClock))
	red, _ := auth.NewRedisRevocation(testenv.Redis(t), testenv.Name("keel-auth-test:"))
	for name, list := range map[string]auth.Revocation{"memory": mem, "redis": red} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := keysOnce()
			ks, _ := auth.NewKeySet(k.hs)
			v, err := auth.NewVerifier(ks, auth.WithRevocation(list), auth.WithClock(fixedClock))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := auth.NewSigner(k.hs, auth.WithClock(fixedClock))
			tok, _ := s.Sign(auth.Claims{Subject: "u"})
			c, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			// testNow is in the past: a real future time suits both lists.
			if err := list.Revoke(context.Background(), c.ID, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, auth.ErrTokenRevoked) {
				t.Fatalf("revoked: %v", err)
			}
			other, _ := s.Sign(auth.Claims{Subject: "u"})
			if _, err := v.Verify(context.Background(), other); err != nil {
				t.Fatalf("other token: %v", err)
			}
			noJTI, _ := s.SignClaims(auth.Claims{Subject: "u", ExpiresAt: c.ExpiresAt})
			if _, err := v.Verify(context.Background(), noJTI); !errors.Is(err, auth.ErrTokenInvalid) {
				t.Fatalf("token without jti: %v", err)
			}
		})
	}
}

// A revocation list that cannot be read fails closed, with an error that
// is not a *TokenError (so the middleware answers 503, not 401).
func TestRevocationFailsClosed(t *testing.T) {
	t.Parallel()
	srv := testenv.StartRedisServer(t)
	list, _ := auth.NewRedisRevocation(srv.Client(), "rev:")
	k := keysOnce()
	ks, _ := auth.NewKeySet(k.hs)
	v, _ := auth.NewVerifier(ks, auth.WithRevocation(list))
	s, _ := auth.NewSigner(k.hs)
	tok, _ := s.Sign(auth.Claims{Subject: "u"})
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := v.Verify(ctx, tok)
	var te *auth.TokenError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("with Redis down: err = %v, want a non-token error", err)
	}
}

// With Redis down, rotation fails with a store error, not a token verdict:
// the client should retry, not log in again.
func TestRefreshTokensRedisDown(t *testing.T) {
	t.Parallel()
	srv := testenv.StartRedisServer(t)
	store, _ := auth.NewRedisTokenStore(srv.Client(), "rt:")
	m, _ := auth.NewRefreshTokens(store)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rt, err := m.Issue(ctx, auth.Claims{Subject: "u"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	_, _, err = m.Rotate(ctx, rt)
	var te *auth.TokenError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("Rotate with Redis down: %v, want a store error", err)
	}
	srv.Start()
	if _, _, err := m.Rotate(ctx, rt); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("after a restart that lost the data: %v", err)
	}
}

func TestRefreshTokensReuseGrace(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	mem, _ := auth.NewMemoryTokenStore()
	m, err := auth.NewRefreshTokens(mem, auth.WithReuseGrace(5*time.Second), auth.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt1, _ := m.Issue(ctx, auth.Claims{Subject: "u"})
	rt2, _, err := m.Rotate(ctx, rt1)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second) // a second tab refreshes with the same token
	if _, _, err := m.Rotate(ctx, rt1); !errors.Is(err, auth.ErrTokenReused) {
		t.Fatalf("reuse within grace: %v", err)
	}
	if _, _, err := m.Rotate(ctx, rt2); err != nil {
		t.Fatalf("the session survives a reuse within grace: %v", err)
	}
	for name, opt := range map[string]auth.Option{"negative": auth.WithReuseGrace(-1), "too long": auth.WithReuseGrace(time.Hour)} {
		if _, err := auth.NewRefreshTokens(mem, opt); !errors.Is(err, auth.ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := auth.NewSessions(mem, auth.WithReuseGrace(time.Second)); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("WithReuseGrace on NewSessions: %v", err)
	}
}
