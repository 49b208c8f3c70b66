package authbench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/golang-jwt/jwt/v5"
)

// discard is a ResponseWriter that drops everything.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

type verifyCase struct {
	alg   string
	key   *auth.Key
	token string
}

func verifyCases(b *testing.B) []verifyCase {
	b.Helper()
	hs, err := auth.NewHMACKey("hs1", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	es, err := auth.GenerateKey("es1", auth.ES256)
	if err != nil {
		b.Fatal(err)
	}
	var out []verifyCase
	for _, k := range []*auth.Key{hs, es} {
		s, err := auth.NewSigner(k, auth.WithIssuer("https://issuer.example"), auth.WithAudience("api"), auth.WithTTL(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		tok, err := s.Sign(auth.Claims{Subject: "user-1234", Roles: []string{"editor", "viewer"}, Tenant: "acme"})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, verifyCase{alg: k.Algorithm(), key: k, token: tok})
	}
	return out
}

// BenchmarkVerify compares keel's verification, alone and as HTTP
// middleware, with a bare golang-jwt Parse of the same token.
func BenchmarkVerify(b *testing.B) {
	for _, tc := range verifyCases(b) {
		ks, _ := auth.NewKeySet(tc.key)
		v, err := auth.NewVerifier(ks, auth.WithIssuer("https://issuer.example"), auth.WithAudience("api"))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()

		b.Run("alg="+tc.alg+"/impl=jwt_parse", func(b *testing.B) {
			pub := tc.key.PublicKey()
			keyfunc := func(*jwt.Token) (any, error) { return pub, nil }
			b.ReportAllocs()
			for b.Loop() {
				t, err := jwt.Parse(tc.token, keyfunc, jwt.WithValidMethods([]string{tc.alg}))
				if err != nil || !t.Valid {
					b.Fatal(err)
				}
			}
		})
		b.Run("alg="+tc.alg+"/impl=keel_verify", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tc.token); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("alg="+tc.alg+"/impl=keel_middleware", func(b *testing.B) {
			reached := false
			h := auth.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = auth.ClaimsFrom(r.Context()) != nil
			}))
			req, _ := http.NewRequest(http.MethodGet, "/todos", nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				reached = false
				h.ServeHTTP(w, req)
				if !reached {
					b.Fatal("handler not reached")
				}
			}
		})
	}
}
