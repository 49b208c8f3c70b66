// Package authtest holds a conformance suite for [auth.TokenStore]
// implementations. Every store shipped by package auth passes it; run it
// against your own:
//
//	func TestMyStore(t *testing.T) {
//		authtest.RunTokenStore(t, func(t *testing.T) auth.TokenStore { return newMyStore(t) })
//	}
package authtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

// RunTokenStore runs the TokenStore contract against stores made by
// newStore. Each subtest gets its own store and runs in parallel; stores
// that share a backend must keep subtests apart (for example with a random
// key prefix per store).
func RunTokenStore(t *testing.T, newStore func(t *testing.T) auth.TokenStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s auth.TokenStore)
	}{
		{"SaveLookup", testSaveLookup},
		{"LookupUnknown", testLookupUnknown},
		{"Expired", testExpired},
		{"Rotate", testRotate},
		{"RotateNewData", testRotateNewData},
		{"ReuseRevokesFamily", testReuse},
		{"ReuseWithinGrace", testReuseGrace},
		{"RevokeFamily", testRevokeFamily},
		{"RevokeSubject", testRevokeSubject},
		{"ConcurrentRotate", testConcurrentRotate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

var base = time.Now().Add(time.Minute).Truncate(time.Millisecond)

func id() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func token(family, subject string, data []byte) auth.StoredToken {
	return auth.StoredToken{Hash: auth.HashToken(id()), Family: family, Subject: subject, Data: data,
		ExpiresAt: base.Add(time.Hour)}
}

func save(t *testing.T, s auth.TokenStore, st auth.StoredToken) auth.StoredToken {
	t.Helper()
	if err := s.Save(context.Background(), st); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return st
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func testSaveLookup(t *testing.T, s auth.TokenStore) {
	st := save(t, s, token(id(), "alice", []byte(`{"sub":"alice"}`)))
	got, err := s.Lookup(context.Background(), st.Hash, base)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if got.Hash != st.Hash || got.Family != st.Family || got.Subject != "alice" ||
		!bytes.Equal(got.Data, st.Data) || !got.ExpiresAt.Equal(st.ExpiresAt) {
		t.Fatalf("Lookup = %+v, want %+v", got, st)
	}
}

func testLookupUnknown(t *testing.T, s auth.TokenStore) {
	_, err := s.Lookup(context.Background(), auth.HashToken(id()), base)
	wantErr(t, "Lookup unknown", err, auth.ErrTokenNotFound)
	_, err = s.Rotate(context.Background(), auth.HashToken(id()), token("", "", nil), base, 0)
	wantErr(t, "Rotate unknown", err, auth.ErrTokenNotFound)
}

func testExpired(t *testing.T, s auth.TokenStore) {
	st := save(t, s, token(id(), "alice", nil))
	late := st.ExpiresAt.Add(time.Millisecond)
	_, err := s.Lookup(context.Background(), st.Hash, late)
	wantErr(t, "Lookup after expiry", err, auth.ErrTokenExpired)
	_, err = s.Rotate(context.Background(), st.Hash, token("", "", nil), late, 0)
	wantErr(t, "Rotate after expiry", err, auth.ErrTokenExpired)
}

func testRotate(t *testing.T, s auth.TokenStore) {
	ctx := context.Background()
	first := save(t, s, token(id(), "alice", []byte("claims")))
	next := token("", "", nil)
	got, err := s.Rotate(ctx, first.Hash, next, base, 0)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if got.Hash != next.Hash || got.Family != first.Family || got.Subject != "alice" ||
		string(got.Data) != "claims" || !got.ExpiresAt.Equal(next.ExpiresAt) {
		t.Fatalf("Rotate = %+v", got)
	}
	if _, err := s.Lookup(ctx, next.Hash, base); err != nil {
		t.Fatalf("Lookup successor: %v", err)
	}
	_, err = s.Lookup(ctx, first.Hash, base)
	wantErr(t, "Lookup rotated token", err, auth.ErrTokenReused)
	// A chain of rotations stays in the family.
	third := token("", "", nil)
	if got, err := s.Rotate(ctx, next.Hash, third, base, 0); err != nil || got.Family != first.Family {
		t.Fatalf("second Rotate = %+v, %v", got, err)
	}
}

func testRotateNewData(t *testing.T, s auth.TokenStore) {
	first := save(t, s, token(id(), "alice", []byte("old")))
	next := token("", "", []byte("new"))
	got, err := s.Rotate(context.Background(), first.Hash, next, base, 0)
	if err != nil || string(got.Data) != "new" {
		t.Fatalf("Rotate = %+v, %v", got, err)
	}
	look, err := s.Lookup(context.Background(), next.Hash, base)
	if err != nil || string(look.Data) != "new" {
		t.Fatalf("Lookup = %+v, %v", look, err)
	}
}

func testReuse(t *testing.T, s auth.TokenStore) {
	ctx := context.Background()
	first := save(t, s, token(id(), "alice", nil))
	second := token("", "", nil)
	if _, err := s.Rotate(ctx, first.Hash, second, base, 0); err != nil {
		t.Fatal(err)
	}
	// The stolen first token is replayed.
	_, err := s.Rotate(ctx, first.Hash, token("", "", nil), base, 0)
	wantErr(t, "replay", err, auth.ErrTokenReused)
	// The whole family is now revoked, including the legitimate successor.
	_, err = s.Lookup(ctx, second.Hash, base)
	wantErr(t, "Lookup successor after reuse", err, auth.ErrTokenRevoked)
	_, err = s.Rotate(ctx, second.Hash, token("", "", nil), base, 0)
	wantErr(t, "Rotate successor after reuse", err, auth.ErrTokenRevoked)
}

func testReuseGrace(t *testing.T, s auth.TokenStore) {
	ctx := context.Background()
	const grace = 5 * time.Second
	first := save(t, s, token(id(), "alice", nil))
	second := token("", "", nil)
	if _, err := s.Rotate(ctx, first.Hash, second, base, grace); err != nil {
		t.Fatal(err)
	}
	// The same client refreshes again a second later: refused, family kept.
	_, err := s.Rotate(ctx, first.Hash, token("", "", nil), base.Add(time.Second), grace)
	wantErr(t, "reuse within grace", err, auth.ErrTokenReused)
	if _, err := s.Lookup(ctx, second.Hash, base.Add(time.Second)); err != nil {
		t.Fatalf("successor after a reuse within grace: %v", err)
	}
	// Past the grace period, reuse revokes the family.
	_, err = s.Rotate(ctx, first.Hash, token("", "", nil), base.Add(10*time.Second), grace)
	wantErr(t, "reuse after grace", err, auth.ErrTokenReused)
	_, err = s.Lookup(ctx, second.Hash, base.Add(10*time.Second))
	wantErr(t, "successor after a reuse past grace", err, auth.ErrTokenRevoked)
}

func testRevokeFamily(t *testing.T, s auth.TokenStore) {
	ctx := context.Background()
	a := save(t, s, token(id(), "alice", nil))
	b := save(t, s, token(id(), "alice", nil))
	if err := s.RevokeFamily(ctx, a.Family); err != nil {
		t.Fatal(err)
	}
	_, err := s.Lookup(ctx, a.Hash, base)
	wantErr(t, "revoked family", err, auth.ErrTokenRevoked)
	if _, err := s.Lookup(ctx, b.Hash, base); err != nil {
		t.Fatalf("other family: %v", err)
	}
	if err := s.RevokeFamily(ctx, id()); err != nil {
		t.Fatalf("unknown family: %v", err)
	}
}

func testRevokeSubject(t *testing.T, s auth.TokenStore) {
	ctx := context.Background()
	alice, bob := "alice-"+id(), "bob-"+id()
	a1 := save(t, s, token(id(), alice, nil))
	a2 := save(t, s, token(id(), alice, nil))
	b1 := save(t, s, token(id(), bob, nil))
	if err := s.RevokeSubject(ctx, alice); err != nil {
		t.Fatal(err)
	}
	for _, st := range []auth.StoredToken{a1, a2} {
		_, err := s.Lookup(ctx, st.Hash, base)
		wantErr(t, "revoked subject", err, auth.ErrTokenRevoked)
	}
	if _, err := s.Lookup(ctx, b1.Hash, base); err != nil {
		t.Fatalf("other subject: %v", err)
	}
	a3 := save(t, s, token(id(), alice, nil))
	if _, err := s.Lookup(ctx, a3.Hash, base); err != nil {
		t.Fatalf("login after revocation: %v", err)
	}
}

func testConcurrentRotate(t *testing.T, s auth.TokenStore) {
	first := save(t, s, token(id(), "alice", nil))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Rotate(context.Background(), first.Hash, token("", "", nil), base, 0)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, auth.ErrTokenReused), errors.Is(err, auth.ErrTokenRevoked):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent rotations succeeded, want exactly 1", ok, n)
	}
}
