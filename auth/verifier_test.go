package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testIss = "https://issuer.test"
	testAud = "api"
)

// newTestVerifier returns a verifier over all test keys plus a removed one.
func newTestVerifier(t *testing.T, opts ...auth.Option) (*auth.Verifier, *auth.KeySet, *auth.Key) {
	t.Helper()
	k := keysOnce()
	old, err := auth.NewHMACKey("old", []byte("old-secret-old-secret-old-secret!"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := auth.NewKeySet(k.hs, k.rsa, k.es, k.ed, old)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]auth.Option{auth.WithIssuer(testIss), auth.WithAudience(testAud), auth.WithClock(fixedClock)}, opts...)
	v, err := auth.NewVerifier(ks, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v, ks, old
}

func validPayload() map[string]any {
	return map[string]any{
		"iss": testIss, "aud": testAud, "sub": "u1", "jti": "j1",
		"iat": testNow.Unix(), "exp": testNow.Add(10 * time.Minute).Unix(), "roles": []string{"editor"},
	}
}

func with(p map[string]any, k string, v any) map[string]any {
	p[k] = v
	if v == nil {
		delete(p, k)
	}
	return p
}

func TestVerifierRejectsAttackTokens(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	v, ks, old := newTestVerifier(t)
	hsHeader := func(kid string) map[string]any { return map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid} }

	// A token signed by a key that was then removed from the set.
	oldSigner, err := auth.NewSigner(old, auth.WithClock(fixedClock), auth.WithIssuer(testIss), auth.WithAudience(testAud))
	if err != nil {
		t.Fatal(err)
	}
	removedTok, err := oldSigner.Sign(auth.Claims{Subject: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), removedTok); err != nil {
		t.Fatalf("before removal: %v", err)
	}
	ks.Remove("old")

	good := rawToken(t, hsHeader("hs1"), validPayload(), hs256(k.secret))
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + segment(t, with(validPayload(), "roles", []string{"admin"})) + "." + parts[2]

	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", rawToken(t, map[string]any{"alg": "none", "typ": "JWT", "kid": "hs1"}, validPayload(), nil), auth.ErrAlgorithm},
		{"alg none without kid", rawToken(t, map[string]any{"alg": "none"}, validPayload(), nil), auth.ErrAlgorithm},
		{"HS256 signed with the RSA public key", rawToken(t, hsHeader("rs1"), validPayload(), hs256(k.rsaPEM)), auth.ErrAlgorithm},
		{"ES256 header on an HMAC kid", rawToken(t, map[string]any{"alg": "ES256", "kid": "hs1"}, validPayload(), es256(k.esRaw)), auth.ErrAlgorithm},
		{"unknown alg", rawToken(t, map[string]any{"alg": "HS999", "kid": "hs1"}, validPayload(), hs256(k.secret)), auth.ErrAlgorithm},
		{"wrong kid", rawToken(t, hsHeader("nope"), validPayload(), hs256(k.secret)), auth.ErrUnknownKey},
		{"no kid", rawToken(t, map[string]any{"alg": "HS256"}, validPayload(), hs256(k.secret)), auth.ErrUnknownKey},
		{"removed key", removedTok, auth.ErrUnknownKey},
		{"expired", rawToken(t, hsHeader("hs1"), with(validPayload(), "exp", testNow.Add(-time.Hour).Unix()), hs256(k.secret)), auth.ErrTokenExpired},
		{"no exp", rawToken(t, hsHeader("hs1"), with(validPayload(), "exp", nil), hs256(k.secret)), auth.ErrTokenInvalid},
		{"nbf in the future", rawToken(t, hsHeader("hs1"), with(validPayload(), "nbf", testNow.Add(time.Hour).Unix()), hs256(k.secret)), auth.ErrTokenNotYetValid},
		{"iat in the future", rawToken(t, hsHeader("hs1"), with(validPayload(), "iat", testNow.Add(time.Hour).Unix()), hs256(k.secret)), auth.ErrTokenNotYetValid},
		{"wrong issuer", rawToken(t, hsHeader("hs1"), with(validPayload(), "iss", "https://evil.test"), hs256(k.secret)), auth.ErrIssuer},
		{"wrong audience", rawToken(t, hsHeader("hs1"), with(validPayload(), "aud", "other"), hs256(k.secret)), auth.ErrAudience},
		{"tampered payload", tampered, auth.ErrTokenInvalid},
		{"wrong secret", rawToken(t, hsHeader("hs1"), validPayload(), hs256([]byte("another-secret-another-secret-!!"))), auth.ErrTokenInvalid},
		{"oversized", rawToken(t, hsHeader("hs1"), with(validPayload(), "pad", strings.Repeat("x", 9000)), hs256(k.secret)), auth.ErrTokenTooLarge},
		{"crit header", rawToken(t, map[string]any{"alg": "HS256", "kid": "hs1", "crit": []string{"b64"}, "b64": false}, validPayload(), hs256(k.secret)), auth.ErrTokenInvalid},
		{"key in jwk header", rawToken(t, map[string]any{"alg": "HS256", "kid": "attacker", "jwk": map[string]any{"kty": "oct", "k": enc.EncodeToString([]byte("attacker-secret-attacker-secret!"))}}, validPayload(), hs256([]byte("attacker-secret-attacker-secret!"))), auth.ErrUnknownKey},
		{"audience of the wrong type", rawToken(t, hsHeader("hs1"), with(validPayload(), "aud", 42), hs256(k.secret)), auth.ErrTokenMalformed},
		{"exp as a string", rawToken(t, hsHeader("hs1"), with(validPayload(), "exp", "2000000000"), hs256(k.secret)), auth.ErrTokenMalformed},
		{"garbage", "not a token", auth.ErrTokenMalformed},
		{"two segments", "abc.def", auth.ErrTokenMalformed},
		{"bad base64", "###.###.###", auth.ErrTokenMalformed},
		{"empty", "", auth.ErrTokenMalformed},
	}
	sentinels := []error{auth.ErrAlgorithm, auth.ErrUnknownKey, auth.ErrTokenExpired, auth.ErrTokenInvalid,
		auth.ErrTokenNotYetValid, auth.ErrIssuer, auth.ErrAudience, auth.ErrTokenTooLarge, auth.ErrTokenMalformed, auth.ErrTokenRevoked}
	mw := auth.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("handler reached with a bad token")
	}))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := v.Verify(context.Background(), tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var te *auth.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err %v is not a *TokenError", err)
			}
			for _, s := range sentinels {
				if s != tc.want && errors.Is(err, s) {
					t.Errorf("err %v also matches %v", err, s)
				}
			}
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			if tc.token == "" {
				req.Header.Set("Authorization", "Bearer x")
			}
			rec := httptest.NewRecorder()
			mw.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", rec.Code)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestVerifierAcceptsEveryAlgorithm(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	v, _, _ := newTestVerifier(t)
	for _, key := range []*auth.Key{k.hs, k.rsa, k.es, k.ed} {
		t.Run(key.Algorithm(), func(t *testing.T) {
			t.Parallel()
			s, err := auth.NewSigner(key, auth.WithClock(fixedClock), auth.WithIssuer(testIss), auth.WithAudience(testAud))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.Sign(auth.Claims{Subject: "u1", Roles: []string{"editor"}, Scopes: auth.Scopes{"read", "write"},
				Tenant: "acme", Extra: map[string]any{"plan": "pro"}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != "u1" || !c.HasRole("editor") || !c.HasScope("write") || c.Tenant != "acme" ||
				c.Extra["plan"] != "pro" || c.ID == "" || c.Issuer != testIss {
				t.Errorf("claims = %+v", c)
			}
			if !c.ExpiresAt.Time.Equal(testNow.Add(auth.DefaultTokenTTL)) {
				t.Errorf("exp = %v", c.ExpiresAt)
			}
		})
	}
}

func TestVerifierBadAudienceTypeWithoutAudienceCheck(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	v, err := auth.NewVerifier(mustKeySet(t, k.hs), auth.WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	tok := rawToken(t, map[string]any{"alg": "HS256", "kid": "hs1"}, with(validPayload(), "aud", []any{"a", 1}), hs256(k.secret))
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, auth.ErrTokenMalformed) {
		t.Fatalf("err = %v", err)
	}
}

func TestVerifierLeewayAndAllowList(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	tok := rawToken(t, map[string]any{"alg": "HS256", "kid": "hs1"},
		with(validPayload(), "exp", testNow.Add(-20*time.Second).Unix()), hs256(k.secret))
	v, _, _ := newTestVerifier(t)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Errorf("within default leeway: %v", err)
	}
	strict, _, _ := newTestVerifier(t, auth.WithLeeway(0))
	if _, err := strict.Verify(context.Background(), tok); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("no leeway: %v", err)
	}
	esOnly, _, _ := newTestVerifier(t, auth.WithAlgorithms(auth.ES256))
	good := rawToken(t, map[string]any{"alg": "HS256", "kid": "hs1"}, validPayload(), hs256(k.secret))
	if _, err := esOnly.Verify(context.Background(), good); !errors.Is(err, auth.ErrAlgorithm) {
		t.Errorf("HS256 against ES256-only verifier: %v", err)
	}
}

func TestVerifierOptionsValidated(t *testing.T) {
	t.Parallel()
	ks, _ := auth.NewKeySet()
	for name, opt := range map[string]auth.Option{
		"negative leeway":   auth.WithLeeway(-time.Second),
		"unknown algorithm": auth.WithAlgorithms("none"),
		"tiny max size":     auth.WithMaxTokenSize(1),
		"signer-only TTL":   auth.WithTTL(time.Minute),
		"nil revocation":    auth.WithRevocation(nil),
		"zero option":       {},
	} {
		if _, err := auth.NewVerifier(ks, opt); !errors.Is(err, auth.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	if _, err := auth.NewVerifier(nil); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("nil key source: %v", err)
	}
}

// Tokens from the independent implementation verify here, and ours verify there.
func TestInteropWithIndependentImplementation(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	v, _, _ := newTestVerifier(t)
	for _, tc := range []struct {
		alg  string
		sign func([]byte) []byte
		key  *auth.Key
	}{
		{"HS256", hs256(k.secret), k.hs},
		{"ES256", es256(k.esRaw), k.es},
	} {
		theirs := rawToken(t, map[string]any{"alg": tc.alg, "typ": "JWT", "kid": tc.key.ID()}, validPayload(), tc.sign)
		c, err := v.Verify(context.Background(), theirs)
		if err != nil || c.Subject != "u1" || !c.HasRole("editor") {
			t.Errorf("%s: theirs in ours: %+v, %v", tc.alg, c, err)
		}
		s, err := auth.NewSigner(tc.key, auth.WithClock(fixedClock), auth.WithIssuer(testIss))
		if err != nil {
			t.Fatal(err)
		}
		ours, err := s.Sign(auth.Claims{Subject: "u2", Scopes: auth.Scopes{"a", "b"}})
		if err != nil {
			t.Fatal(err)
		}
		p := verifyRaw(t, ours, k.secret, &k.esRaw.PublicKey)
		if p["sub"] != "u2" || p["iss"] != testIss || p["scope"] != "a b" || p["exp"] == nil {
			t.Errorf("%s: ours in theirs: %v", tc.alg, p)
		}
	}
}

type appClaims struct {
	auth.Claims
	Plan string `json:"plan"`
}

func TestVerifyAsCustomClaims(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	v, _, _ := newTestVerifier(t)
	s, err := auth.NewSigner(k.es, auth.WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.SignClaims(appClaims{Claims: auth.Claims{Issuer: testIss, Audience: []string{testAud}, Subject: "u1",
		ExpiresAt: jwt.NewNumericDate(testNow.Add(time.Minute))}, Plan: "pro"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.VerifyAs[appClaims](context.Background(), v, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Plan != "pro" || c.Subject != "u1" {
		t.Errorf("claims = %+v", c)
	}
	expired, _ := s.SignClaims(appClaims{Claims: auth.Claims{Issuer: testIss, Audience: []string{testAud},
		ExpiresAt: jwt.NewNumericDate(testNow.Add(-time.Hour))}})
	if _, err := auth.VerifyAs[appClaims](context.Background(), v, expired); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
}

func TestRotationWithKeySet(t *testing.T) {
	t.Parallel()
	k1, _ := auth.GenerateKey("k1", auth.ES256)
	k2, _ := auth.GenerateKey("k2", auth.ES256)
	ks, _ := auth.NewKeySet(k1)
	v, _ := auth.NewVerifier(ks)
	s, _ := auth.NewSigner(k1)
	oldTok, _ := s.Sign(auth.Claims{Subject: "u"})
	if err := ks.Add(k2); err != nil {
		t.Fatal(err)
	}
	if err := ks.Add(k2); !errors.Is(err, auth.ErrDuplicateKey) {
		t.Errorf("duplicate add: %v", err)
	}
	if err := s.SetKey(k2); err != nil {
		t.Fatal(err)
	}
	newTok, _ := s.Sign(auth.Claims{Subject: "u"})
	for _, tok := range []string{oldTok, newTok} {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Errorf("during rotation: %v", err)
		}
	}
	ks.Remove("k1")
	if _, err := v.Verify(context.Background(), oldTok); !errors.Is(err, auth.ErrUnknownKey) {
		t.Errorf("old key removed: %v", err)
	}
	if _, err := v.Verify(context.Background(), newTok); err != nil {
		t.Errorf("new key: %v", err)
	}
	if err := s.SetKey(k2.Public()); !errors.Is(err, auth.ErrNotSigningKey) {
		t.Errorf("public key as signer: %v", err)
	}
}

func TestMiddlewareAs(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	v, _, _ := newTestVerifier(t)
	s, _ := auth.NewSigner(k.hs, auth.WithClock(fixedClock))
	tok, _ := s.SignClaims(appClaims{Claims: auth.Claims{Issuer: testIss, Audience: []string{testAud}, Subject: "u1",
		Roles: []string{"editor"}, ExpiresAt: jwt.NewNumericDate(testNow.Add(time.Minute))}, Plan: "pro"})
	var plan, sub string
	h := auth.MiddlewareAs[appClaims](v)(auth.Require(newTestRBAC(t), "todos:write")(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			plan = auth.ClaimsAs[appClaims](r.Context()).Plan
			sub = auth.ClaimsFrom(r.Context()).Subject
		})))
	rec := serve(h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	if rec.Code != 200 || plan != "pro" || sub != "u1" {
		t.Fatalf("status %d, plan %q, subject %q", rec.Code, plan, sub)
	}
	if rec := serve(h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }); rec.Code != 401 {
		t.Errorf("bad token: %d", rec.Code)
	}
	if auth.ClaimsAs[appClaims](context.Background()) != nil {
		t.Error("claims in an empty context")
	}
}
