package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeel/keel/auth"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	v, _, _ := newTestVerifier(t, auth.WithMetrics(reg))
	v2, _, _ := newTestVerifier(t, auth.WithMetrics(reg)) // shares the counters
	ctx := context.Background()
	good := signTest(t, auth.Claims{Subject: "u"})
	_, _ = v.Verify(ctx, good)
	_, _ = v2.Verify(ctx, good)
	_, _ = v.Verify(ctx, "garbage")
	want := `
# HELP keel_auth_verifications_total Access tokens verified, by result.
# TYPE keel_auth_verifications_total counter
keel_auth_verifications_total{result="algorithm"} 0
keel_auth_verifications_total{result="audience"} 0
keel_auth_verifications_total{result="error"} 0
keel_auth_verifications_total{result="expired"} 0
keel_auth_verifications_total{result="invalid"} 0
keel_auth_verifications_total{result="issuer"} 0
keel_auth_verifications_total{result="malformed"} 1
keel_auth_verifications_total{result="not_yet_valid"} 0
keel_auth_verifications_total{result="ok"} 2
keel_auth_verifications_total{result="revoked"} 0
keel_auth_verifications_total{result="too_large"} 0
keel_auth_verifications_total{result="unknown_key"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "keel_auth_verifications_total"); err != nil {
		t.Error(err)
	}

	h := auth.Require(newTestRBAC(t), "todos:write", auth.WithMetrics(reg))(echoSubject)
	for _, roles := range [][]string{{"editor"}, {"viewer"}, {"viewer"}} {
		serve(h, func(r *http.Request) {
			*r = *r.WithContext(auth.WithClaims(r.Context(), &auth.Claims{Subject: "u", Roles: roles}))
		})
	}
	want = `
# HELP keel_auth_decisions_total Authorization decisions of Require, by result.
# TYPE keel_auth_decisions_total counter
keel_auth_decisions_total{result="allowed"} 1
keel_auth_decisions_total{result="denied"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "keel_auth_decisions_total"); err != nil {
		t.Error(err)
	}

	is := newIssuer(t, esKey(t, "k1").Public())
	rks, err := auth.NewRemoteKeySet(is.srv.URL+"/jwks", auth.WithMetrics(reg))
	if err != nil {
		t.Fatal(err)
	}
	_ = rks.Refresh(ctx)
	is.down.Store(true)
	_ = rks.Refresh(ctx)
	want = `
# HELP keel_auth_jwks_refreshes_total JWKS fetches, by result.
# TYPE keel_auth_jwks_refreshes_total counter
keel_auth_jwks_refreshes_total{result="error"} 1
keel_auth_jwks_refreshes_total{result="ok"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "keel_auth_jwks_refreshes_total"); err != nil {
		t.Error(err)
	}
	if _, err := auth.NewVerifier(mustKeySet(t), auth.WithMetrics(nil)); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("nil registerer: %v", err)
	}
}

// A JWKS that publishes a symmetric key must not make it a verification
// key: anyone can read the set.
func TestRemoteKeySetIgnoresSymmetricKeys(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"keys":[{"kty":"oct","kid":"h","k":"` + enc.EncodeToString(secret) + `"},` + string(mustJWK(t, esKey(t, "e"))) + `]}`))
	})
	srv := newServer(t, mux)
	rks, _ := auth.NewRemoteKeySet(srv + "/jwks")
	v, _ := auth.NewVerifier(rks)
	hk, _ := auth.NewHMACKey("h", secret)
	s, _ := auth.NewSigner(hk)
	tok, _ := s.Sign(auth.Claims{Subject: "forged"})
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("token signed with a published secret: %v", err)
	}
}
