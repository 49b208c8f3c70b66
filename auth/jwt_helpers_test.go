package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

// This file holds a minimal JWT implementation written from RFC 7515/7518
// with crypto/hmac, crypto/ecdsa and base64url only, independent of
// golang-jwt, to check interoperability and to forge attack tokens.

var enc = base64.RawURLEncoding

func segment(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeToString(b)
}

// rawToken builds header.payload.signature with sign over the signing input.
func rawToken(t testing.TB, header, payload map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	input := segment(t, header) + "." + segment(t, payload)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + enc.EncodeToString(sig)
}

func hs256(secret []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	}
}

func es256(k *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		h := sha256.Sum256(in)
		r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
		if err != nil {
			panic(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
}

// verifyRaw checks a compact JWS with the minimal implementation and
// returns its payload.
func verifyRaw(t testing.TB, tok string, secret []byte, pub *ecdsa.PublicKey) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	var header map[string]any
	hb, _ := enc.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &header); err != nil {
		t.Fatal(err)
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	input := []byte(parts[0] + "." + parts[1])
	switch header["alg"] {
	case "HS256":
		if !hmac.Equal(hs256(secret)(input), sig) {
			t.Fatal("HS256 signature does not verify")
		}
	case "ES256":
		h := sha256.Sum256(input)
		if len(sig) != 64 || !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			t.Fatal("ES256 signature does not verify")
		}
	default:
		t.Fatalf("alg %v", header["alg"])
	}
	pb, _ := enc.DecodeString(parts[1])
	var payload map[string]any
	if err := json.Unmarshal(pb, &payload); err != nil {
		t.Fatal(err)
	}
	return payload
}

// Shared keys: RSA generation is slow under -race, so once per binary.
type testKeys struct {
	secret []byte
	hs     *auth.Key
	rsa    *auth.Key
	rsaPEM []byte // public key, PKIX PEM
	es     *auth.Key
	esRaw  *ecdsa.PrivateKey
	ed     *auth.Key
}

var keysOnce = sync.OnceValue(func() *testKeys {
	k := &testKeys{secret: []byte("0123456789abcdef0123456789abcdef")}
	must := func(key *auth.Key, err error) *auth.Key {
		if err != nil {
			panic(err)
		}
		return key
	}
	k.hs = must(auth.NewHMACKey("hs1", k.secret))
	k.rsa = must(auth.GenerateKey("rs1", auth.RS256))
	der, err := x509.MarshalPKIXPublicKey(k.rsa.PublicKey())
	if err != nil {
		panic(err)
	}
	k.rsaPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	esRaw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	k.esRaw = esRaw
	k.es = must(auth.NewKey("es1", esRaw))
	k.ed = must(auth.GenerateKey("ed1", auth.EdDSA))
	return k
})

var testNow = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }
