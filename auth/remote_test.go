package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// issuer is a fake identity provider serving a JWKS that tests can change
// or break.
type issuer struct {
	ks    *auth.KeySet
	down  atomic.Bool
	hits  atomic.Int64
	srv   *httptest.Server
	fetch chan struct{} // receives a value per JWKS request, if non-nil
}

func newIssuer(t *testing.T, keys ...*auth.Key) *issuer {
	t.Helper()
	is := &issuer{ks: mustKeySet(t, keys...)}
	jwks := auth.JWKSHandler(is.ks)
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		is.hits.Add(1)
		if is.fetch != nil {
			select {
			case is.fetch <- struct{}{}:
			default:
			}
		}
		if is.down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		jwks.ServeHTTP(w, r)
	})
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer": %q, "jwks_uri": %q}`, is.srv.URL, is.srv.URL+"/jwks")
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func esKey(t *testing.T, kid string) *auth.Key {
	t.Helper()
	k, err := auth.GenerateKey(kid, auth.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signWith(t *testing.T, k *auth.Key, now time.Time) string {
	t.Helper()
	s, err := auth.NewSigner(k, auth.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(auth.Claims{Subject: "u"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRemoteKeySetCachesAndRotates(t *testing.T) {
	t.Parallel()
	k1, k2 := esKey(t, "k1"), esKey(t, "k2")
	is := newIssuer(t, k1.Public())
	clock := &fakeClock{t: time.Now()}
	rks, err := auth.NewRemoteKeySet(is.srv.URL+"/jwks", auth.WithClock(clock.Now), auth.WithMinRefreshInterval(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := auth.NewVerifier(rks, auth.WithClock(clock.Now))
	ctx := context.Background()
	for range 3 {
		if _, err := v.Verify(ctx, signWith(t, k1, clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if n := is.hits.Load(); n != 1 {
		t.Fatalf("%d fetches for 3 tokens of one key, want 1", n)
	}
	// The issuer rotates in k2. A k2 token arrives before our next refresh:
	// the unknown kid triggers one (the minimum interval has passed).
	if err := is.ks.Add(k2.Public()); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Minute)
	if _, err := v.Verify(ctx, signWith(t, k2, clock.Now())); err != nil {
		t.Fatalf("rotated-in key: %v", err)
	}
	if n := is.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	// The issuer drops k1; after a refresh its tokens no longer verify.
	is.ks.Remove("k1")
	if err := rks.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, signWith(t, k1, clock.Now())); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("removed key: %v", err)
	}
}

func TestRemoteKeySetUnknownKidIsRateLimited(t *testing.T) {
	t.Parallel()
	k1 := esKey(t, "k1")
	is := newIssuer(t, k1.Public())
	clock := &fakeClock{t: time.Now()}
	rks, _ := auth.NewRemoteKeySet(is.srv.URL+"/jwks", auth.WithClock(clock.Now), auth.WithMinRefreshInterval(time.Minute))
	v, _ := auth.NewVerifier(rks, auth.WithClock(clock.Now))
	ctx := context.Background()
	if _, err := v.Verify(ctx, signWith(t, k1, clock.Now())); err != nil {
		t.Fatal(err)
	}
	// An attacker sends 50 tokens with made-up key IDs, concurrently.
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			forged := signWith(t, esKey(t, fmt.Sprintf("forged-%d", i)), clock.Now())
			if _, err := v.Verify(ctx, forged); !errors.Is(err, auth.ErrUnknownKey) {
				t.Errorf("forged kid: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := is.hits.Load(); n != 1 {
		t.Fatalf("%d fetches after 50 unknown kids within the minimum interval, want 1", n)
	}
	clock.Add(61 * time.Second)
	_, _ = v.Verify(ctx, signWith(t, esKey(t, "forged-x"), clock.Now()))
	_, _ = v.Verify(ctx, signWith(t, esKey(t, "forged-y"), clock.Now()))
	if n := is.hits.Load(); n != 2 {
		t.Fatalf("%d fetches after the interval, want 2", n)
	}
}

func TestRemoteKeySetIssuerDown(t *testing.T) {
	t.Parallel()
	k1 := esKey(t, "k1")
	is := newIssuer(t, k1.Public())
	clock := &fakeClock{t: time.Now()}
	rks, _ := auth.NewRemoteKeySet(is.srv.URL+"/jwks", auth.WithClock(clock.Now),
		auth.WithMinRefreshInterval(time.Minute), auth.WithMaxStale(time.Hour))
	v, _ := auth.NewVerifier(rks, auth.WithClock(clock.Now))
	ctx := context.Background()
	if _, err := v.Verify(ctx, signWith(t, k1, clock.Now())); err != nil {
		t.Fatal(err)
	}
	is.down.Store(true)
	clock.Add(30 * time.Minute)
	if err := rks.Refresh(ctx); err == nil {
		t.Fatal("refresh against a down issuer succeeded")
	}
	// Within the stale limit the cached keys still verify.
	if _, err := v.Verify(ctx, signWith(t, k1, clock.Now())); err != nil {
		t.Fatalf("stale but within limit: %v", err)
	}
	// Past it, verification fails, and not as a bad token: 503.
	clock.Add(31 * time.Minute)
	tok := signWith(t, k1, clock.Now())
	_, err := v.Verify(ctx, tok)
	var te *auth.TokenError
	if !errors.Is(err, auth.ErrKeysUnavailable) || errors.As(err, &te) {
		t.Fatalf("past the stale limit: %v", err)
	}
	rec := serve(auth.Middleware(v)(echoSubject), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("middleware: %d, want 503", rec.Code)
	}
	// The issuer comes back: the next allowed refresh restores service.
	is.down.Store(false)
	clock.Add(2 * time.Minute)
	if _, err := v.Verify(ctx, signWith(t, k1, clock.Now())); err != nil {
		t.Fatalf("issuer back: %v", err)
	}
}

func TestDiscoverOIDC(t *testing.T) {
	t.Parallel()
	k1 := esKey(t, "k1")
	is := newIssuer(t, k1.Public())
	ctx := context.Background()
	rks, err := auth.DiscoverOIDC(ctx, is.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if rks.Issuer() != is.srv.URL {
		t.Errorf("Issuer = %q", rks.Issuer())
	}
	v, _ := auth.NewVerifier(rks, auth.WithIssuer(rks.Issuer()))
	s, _ := auth.NewSigner(k1, auth.WithIssuer(is.srv.URL))
	tok, _ := s.Sign(auth.Claims{Subject: "u"})
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.DiscoverOIDC(ctx, is.srv.URL+"/other"); err == nil {
		t.Error("discovery of a wrong issuer succeeded")
	}
	if _, err := auth.NewRemoteKeySet("ftp://x/jwks"); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("ftp URL: %v", err)
	}
}

func TestRemoteKeySetRun(t *testing.T) {
	t.Parallel()
	k1 := esKey(t, "k1")
	is := newIssuer(t, k1.Public())
	is.fetch = make(chan struct{}, 1)
	rks, _ := auth.NewRemoteKeySet(is.srv.URL+"/jwks", auth.WithRefreshInterval(5*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rks.Run(ctx) }()
	for range 3 { // the initial fetch and two periodic refreshes
		select {
		case <-is.fetch:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not refresh")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func mustJWK(t *testing.T, k *auth.Key) []byte {
	t.Helper()
	j, err := k.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
