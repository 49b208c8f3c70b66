package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

func TestVerifyCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	key, err := auth.GenerateKey("k1", auth.ES256)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := auth.NewKeySet(key.Public())
	revoked, _ := auth.NewMemoryRevocation(auth.WithClock(clock))
	v, err := auth.NewVerifier(keys, auth.WithVerifyCache(100), auth.WithClock(clock), auth.WithRevocation(revoked), auth.WithLeeway(0))
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := auth.NewSigner(key, auth.WithClock(clock), auth.WithTTL(time.Minute))
	tok, err := signer.Sign(auth.Claims{Subject: "u1", Roles: []string{"editor"}})
	if err != nil {
		t.Fatal(err)
	}

	c1, err := v.Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := v.Verify(ctx, tok) // from the cache
	if err != nil || c2.Subject != "u1" || c2.Roles[0] != "editor" || c2 == c1 {
		t.Fatalf("cached verify: %+v %v (same pointer: %v)", c2, err, c2 == c1)
	}
	c2.Subject = "mutated"
	if c3, _ := v.Verify(ctx, tok); c3.Subject != "u1" {
		t.Fatal("mutating returned claims changed the cache")
	}

	// A tampered token is a miss and fails.
	bad := tok[:len(tok)-2] + "AA"
	if _, err := v.Verify(ctx, bad); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("tampered: %v", err)
	}

	// Revocation is checked on hits.
	if err := revoked.Revoke(ctx, c1.ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, tok); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("revoked token from cache: %v", err)
	}

	// Expiry is checked on hits.
	tok2, _ := signer.Sign(auth.Claims{Subject: "u2"})
	if _, err := v.Verify(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := v.Verify(ctx, tok2); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("expired token from cache: %v", err)
	}

	// A removed key invalidates cached tokens.
	tok3, _ := signer.Sign(auth.Claims{Subject: "u3"})
	if _, err := v.Verify(ctx, tok3); err != nil {
		t.Fatal(err)
	}
	keys.Remove("k1")
	if _, err := v.Verify(ctx, tok3); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("token of a removed key from cache: %v", err)
	}

	if _, err := auth.NewVerifier(keys, auth.WithVerifyCache(0)); err == nil {
		t.Fatal("cache size 0 accepted")
	}
}

func TestVerifyCacheBounded(t *testing.T) {
	t.Parallel()
	key, _ := auth.GenerateKey("k1", auth.HS256)
	keys, _ := auth.NewKeySet(key)
	v, _ := auth.NewVerifier(keys, auth.WithVerifyCache(10))
	signer, _ := auth.NewSigner(key)
	for i := range 1000 {
		tok, _ := signer.Sign(auth.Claims{Subject: "u", Extra: map[string]any{"i": i}})
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := auth.VerifyCacheLen(v); n > 10 {
		t.Fatalf("cache holds %d tokens, bound 10", n)
	}
}
