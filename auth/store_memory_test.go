package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

func TestMemoryTokenStoreDeleteExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _ := auth.NewMemoryTokenStore()
	for i, ttl := range []time.Duration{time.Minute, time.Hour, 2 * time.Hour} {
		tok := auth.StoredToken{Hash: auth.HashToken(string(rune('a' + i))), Family: "f" + string(rune('a'+i)), Subject: "u", ExpiresAt: now.Add(ttl)}
		if err := s.Save(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.DeleteExpired(now.Add(90 * time.Minute)); n != 2 {
		t.Fatalf("DeleteExpired removed %d, want 2", n)
	}
	if _, err := s.Lookup(ctx, auth.HashToken("c"), now.Add(90*time.Minute)); err != nil {
		t.Fatalf("live token gone: %v", err)
	}
	if _, err := s.Lookup(ctx, auth.HashToken("a"), now); !errors.Is(err, auth.ErrTokenNotFound) {
		t.Fatalf("expired token still there: %v", err)
	}
}
