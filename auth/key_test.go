package auth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeel/keel/auth"
)

func TestNewHMACKeyRefusesShortSecrets(t *testing.T) {
	t.Parallel()
	if _, err := auth.NewHMACKey("k", make([]byte, 31)); !errors.Is(err, auth.ErrWeakKey) {
		t.Errorf("31 bytes: %v", err)
	}
	if _, err := auth.NewHMACKey("", make([]byte, 32)); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("empty kid: %v", err)
	}
	if k, err := auth.NewHMACKey("k", make([]byte, 32)); err != nil || k.Algorithm() != auth.HS256 {
		t.Errorf("32 bytes: %v", err)
	}
}

func TestNewKeyTypes(t *testing.T) {
	t.Parallel()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := auth.NewKey("k", small); !errors.Is(err, auth.ErrWeakKey) {
		t.Errorf("RSA-1024: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := auth.NewKey("k", p384); !errors.Is(err, auth.ErrKeyFormat) {
		t.Errorf("P-384: %v", err)
	}
	if _, err := auth.NewKey("k", "a string"); !errors.Is(err, auth.ErrKeyFormat) {
		t.Errorf("string: %v", err)
	}
	if _, err := auth.GenerateKey("k", "PS256"); !errors.Is(err, auth.ErrConfig) {
		t.Errorf("PS256: %v", err)
	}
}

func pemOf(t *testing.T, typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParseKeyPEMAndJWK(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	ecPriv, _ := x509.MarshalECPrivateKey(k.esRaw)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k.esRaw)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(edPriv)
	cases := []struct {
		name    string
		data    []byte
		alg     string
		canSign bool
	}{
		{"RSA public PEM", k.rsaPEM, auth.RS256, false},
		{"EC SEC1 PEM", pemOf(t, "EC PRIVATE KEY", ecPriv), auth.ES256, true},
		{"EC PKCS8 PEM", pemOf(t, "PRIVATE KEY", pkcs8), auth.ES256, true},
		{"Ed25519 PKCS8 PEM", pemOf(t, "PRIVATE KEY", edPKCS8), auth.EdDSA, true},
	}
	for _, key := range []*auth.Key{k.rsa, k.es, k.ed} {
		j, err := key.PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name    string
			data    []byte
			alg     string
			canSign bool
		}{"public JWK " + key.Algorithm(), j, key.Algorithm(), false})
	}
	for _, tc := range cases {
		got, err := auth.ParseKey("kid1", tc.data)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.ID() != "kid1" || got.Algorithm() != tc.alg || got.CanSign() != tc.canSign {
			t.Errorf("%s: id=%s alg=%s canSign=%v", tc.name, got.ID(), got.Algorithm(), got.CanSign())
		}
	}
	// The JWK round trip keeps the key: a token signed by the original
	// verifies with the parsed public key.
	j, _ := k.es.PublicJWK()
	pub, err := auth.ParseJWK(j)
	if err != nil || pub.ID() != "es1" {
		t.Fatalf("ParseJWK: %v", err)
	}
	if !pub.PublicKey().(*ecdsa.PublicKey).Equal(&k.esRaw.PublicKey) {
		t.Error("EC JWK round trip changed the key")
	}
	for name, bad := range map[string]string{
		"no kid":       `{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`,
		"enc key":      `{"kty":"oct","kid":"a","use":"enc","k":"AAAA"}`,
		"short oct":    `{"kty":"oct","kid":"a","k":"AAAA"}`,
		"alg mismatch": `{"kty":"oct","kid":"a","alg":"RS256","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}`,
		"bad curve":    `{"kty":"EC","kid":"a","crv":"P-521","x":"AA","y":"AA"}`,
		"off curve":    `{"kty":"EC","kid":"a","crv":"P-256","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`,
		"unknown kty":  `{"kty":"XYZ","kid":"a"}`,
		"not json":     `{`,
	} {
		if _, err := auth.ParseJWK([]byte(bad)); !errors.Is(err, auth.ErrKeyFormat) && !errors.Is(err, auth.ErrWeakKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := auth.ParseKey("k", []byte("hello")); !errors.Is(err, auth.ErrKeyFormat) {
		t.Errorf("neither PEM nor JWK: %v", err)
	}
	if _, err := auth.ParseKey("k", pemOf(t, "FOO", []byte{1})); !errors.Is(err, auth.ErrKeyFormat) {
		t.Errorf("unknown PEM type: %v", err)
	}
}

func TestOctJWK(t *testing.T) {
	t.Parallel()
	k, err := auth.ParseJWK([]byte(`{"kty":"oct","kid":"h","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}`))
	if err != nil || k.Algorithm() != auth.HS256 || !k.Symmetric() {
		t.Fatalf("oct JWK: %v", err)
	}
	if _, err := k.PublicJWK(); !errors.Is(err, auth.ErrKeyFormat) {
		t.Errorf("HMAC key has a public JWK: %v", err)
	}
}

func TestLoadKeyFileAndEnv(t *testing.T) {
	k := keysOnce()
	dir := t.TempDir()
	path := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(path, k.rsaPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if key, err := auth.LoadKeyFile("r", path); err != nil || key.Algorithm() != auth.RS256 {
		t.Errorf("LoadKeyFile: %v", err)
	}
	if _, err := auth.LoadKeyFile("r", filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file loaded")
	}
	t.Setenv("KEEL_AUTH_TEST_SECRET", "0123456789abcdef0123456789abcdef")
	if key, err := auth.KeyFromEnv("h", "KEEL_AUTH_TEST_SECRET"); err != nil || key.Algorithm() != auth.HS256 {
		t.Errorf("HMAC from env: %v", err)
	}
	t.Setenv("KEEL_AUTH_TEST_SHORT", "short")
	if _, err := auth.KeyFromEnv("h", "KEEL_AUTH_TEST_SHORT"); !errors.Is(err, auth.ErrWeakKey) {
		t.Errorf("short secret from env: %v", err)
	}
	t.Setenv("KEEL_AUTH_TEST_PEM", string(k.rsaPEM))
	if key, err := auth.KeyFromEnv("r", "KEEL_AUTH_TEST_PEM"); err != nil || key.Algorithm() != auth.RS256 {
		t.Errorf("PEM from env: %v", err)
	}
	if _, err := auth.KeyFromEnv("x", "KEEL_AUTH_TEST_UNSET_VARIABLE"); !errors.Is(err, auth.ErrKeyFormat) {
		t.Errorf("unset: %v", err)
	}
}

func TestJWKSHandler(t *testing.T) {
	t.Parallel()
	k := keysOnce()
	ks := mustKeySet(t, k.hs, k.rsa, k.es, k.ed)
	srv := httptest.NewServer(auth.JWKSHandler(ks))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 3 {
		t.Fatalf("published %d keys, want 3 (no HMAC)", len(set.Keys))
	}
	for _, j := range set.Keys {
		if j["kty"] == "oct" || j["d"] != nil || j["k"] != nil || j["p"] != nil {
			t.Errorf("private material published: %v", j)
		}
	}
	if resp.Header.Get("Cache-Control") == "" {
		t.Error("no Cache-Control")
	}
	post, _ := http.Post(srv.URL, "text/plain", nil)
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", post.StatusCode)
	}
}
