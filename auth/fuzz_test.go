package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gokeel/keel/auth"
)

// FuzzVerify feeds arbitrary strings to the Verifier: it must never panic,
// and every rejection must be a *TokenError (a bad token is never taken
// for an infrastructure failure).
func FuzzVerify(f *testing.F) {
	k := keysOnce()
	s, _ := auth.NewSigner(k.hs, auth.WithClock(fixedClock))
	good, _ := s.Sign(auth.Claims{Subject: "u", Roles: []string{"a"}})
	f.Add(good)
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.")
	f.Add("a.b.c")
	f.Add("")
	ks, _ := auth.NewKeySet(k.hs, k.es, k.ed)
	v, _ := auth.NewVerifier(ks, auth.WithClock(fixedClock))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok)
		if err == nil {
			if c == nil {
				t.Fatal("nil claims without error")
			}
			return
		}
		var te *auth.TokenError
		if !errors.As(err, &te) {
			t.Fatalf("rejection is not a *TokenError: %v", err)
		}
	})
}

// FuzzParsePolicy: no document makes the parser panic, and an accepted
// policy answers checks.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(policyYAML))
	f.Add([]byte(`{"roles":{"a":{"inherits":["b"]},"b":{"permissions":["x:*"]}}}`))
	f.Add([]byte("roles:\n  a:\n    inherits: [a]\n"))
	f.Add([]byte("roles: &x\n  a: *x\n"))
	f.Add([]byte("tenants:\n  t:\n    r: [x]\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := auth.ParsePolicy(doc)
		if err != nil {
			if !errors.Is(err, auth.ErrPolicy) && !errors.Is(err, auth.ErrPolicyCycle) {
				t.Fatalf("error without sentinel: %v", err)
			}
			return
		}
		_ = p.Allowed([]string{"a", "editor"}, "t", "x:y")
	})
}

// FuzzParseJWKS: no JWK Set makes the parser panic.
func FuzzParseJWKS(f *testing.F) {
	k := keysOnce()
	set, _ := auth.MarshalJWKS([]*auth.Key{k.rsa, k.es, k.ed})
	f.Add(set)
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"a","k":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","d":"AQAB","p":"AQ","q":"AQ"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, _, err := auth.ParseJWKS(data)
		if err != nil && keys != nil {
			t.Fatal("keys with an error")
		}
	})
}

// FuzzParseKey: no PEM or JWK input makes key parsing panic, and whatever
// it accepts is a usable key.
func FuzzParseKey(f *testing.F) {
	k := keysOnce()
	f.Add(k.rsaPEM)
	j, _ := k.es.PublicJWK()
	f.Add(j)
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","kid":"e","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := auth.ParseKey("k", data)
		if err != nil {
			return
		}
		if key.ID() == "" || key.Algorithm() == "" || key.PublicKey() == nil {
			t.Fatalf("accepted an unusable key: %+v", key)
		}
	})
}
