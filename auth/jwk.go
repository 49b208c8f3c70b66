package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/gokeel/keel/httpx"
)

// jwk is the wire form of an RFC 7517 JSON Web Key.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	D   string `json:"d,omitempty"`
	P   string `json:"p,omitempty"`
	Q   string `json:"q,omitempty"`
	K   string `json:"k,omitempty"`
}

type jwks struct {
	Keys []json.RawMessage `json:"keys"`
}

var b64 = base64.RawURLEncoding

// ParseJWK reads one JSON Web Key (RFC 7517): "RSA", "EC" (P-256), "OKP"
// (Ed25519) or "oct" (HMAC), public or private. The key ID is the JWK's
// "kid", which must be present. A JWK whose "alg" disagrees with its key
// type is refused.
func ParseJWK(data []byte) (*Key, error) {
	var j jwk
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("%w: JWK: %v", ErrKeyFormat, err)
	}
	return j.key()
}

func (j *jwk) key() (*Key, error) {
	if j.Kid == "" {
		return nil, fmt.Errorf("%w: JWK without kid", ErrKeyFormat)
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, fmt.Errorf("%w: JWK %q has use %q", ErrKeyFormat, j.Kid, j.Use)
	}
	var (
		raw any
		err error
	)
	switch j.Kty {
	case "oct":
		raw, err = j.bytes("k", j.K)
	case "RSA":
		raw, err = j.rsa()
	case "EC":
		raw, err = j.ec()
	case "OKP":
		raw, err = j.okp()
	default:
		return nil, fmt.Errorf("%w: JWK %q has kty %q", ErrKeyFormat, j.Kid, j.Kty)
	}
	if err != nil {
		return nil, err
	}
	k, err := NewKey(j.Kid, raw)
	if err != nil {
		return nil, err
	}
	if j.Alg != "" && j.Alg != k.alg {
		return nil, fmt.Errorf("%w: JWK %q has alg %q, its key type needs %q", ErrKeyFormat, j.Kid, j.Alg, k.alg)
	}
	return k, nil
}

func (j *jwk) bytes(name, v string) ([]byte, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: JWK %q lacks %q", ErrKeyFormat, j.Kid, name)
	}
	b, err := b64.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%w: JWK %q field %q: %v", ErrKeyFormat, j.Kid, name, err)
	}
	return b, nil
}

func (j *jwk) bigInt(name, v string) (*big.Int, error) {
	b, err := j.bytes(name, v)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}

func (j *jwk) rsa() (any, error) {
	n, err := j.bigInt("n", j.N)
	if err != nil {
		return nil, err
	}
	e, err := j.bigInt("e", j.E)
	if err != nil {
		return nil, err
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("%w: JWK %q has a bad RSA exponent", ErrKeyFormat, j.Kid)
	}
	pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
	if j.D == "" {
		return pub, nil
	}
	d, err := j.bigInt("d", j.D)
	if err != nil {
		return nil, err
	}
	p, err := j.bigInt("p", j.P)
	if err != nil {
		return nil, err
	}
	q, err := j.bigInt("q", j.Q)
	if err != nil {
		return nil, err
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: d, Primes: []*big.Int{p, q}}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("%w: JWK %q: %v", ErrKeyFormat, j.Kid, err)
	}
	priv.Precompute()
	return priv, nil
}

func (j *jwk) ec() (any, error) {
	if j.Crv != "P-256" {
		return nil, fmt.Errorf("%w: JWK %q has curve %q, only P-256 is supported", ErrKeyFormat, j.Kid, j.Crv)
	}
	x, err := j.bytes("x", j.X)
	if err != nil {
		return nil, err
	}
	y, err := j.bytes("y", j.Y)
	if err != nil {
		return nil, err
	}
	if len(x) != 32 || len(y) != 32 {
		return nil, fmt.Errorf("%w: JWK %q has bad P-256 coordinates", ErrKeyFormat, j.Kid)
	}
	pt := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
	if err != nil {
		return nil, fmt.Errorf("%w: JWK %q: %v", ErrKeyFormat, j.Kid, err)
	}
	if j.D == "" {
		return pub, nil
	}
	d, err := j.bytes("d", j.D)
	if err != nil {
		return nil, err
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return nil, fmt.Errorf("%w: JWK %q: %v", ErrKeyFormat, j.Kid, err)
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("%w: JWK %q: private and public parts differ", ErrKeyFormat, j.Kid)
	}
	return priv, nil
}

func (j *jwk) okp() (any, error) {
	if j.Crv != "Ed25519" {
		return nil, fmt.Errorf("%w: JWK %q has curve %q, only Ed25519 is supported", ErrKeyFormat, j.Kid, j.Crv)
	}
	x, err := j.bytes("x", j.X)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: JWK %q has a bad Ed25519 key", ErrKeyFormat, j.Kid)
	}
	if j.D == "" {
		return ed25519.PublicKey(x), nil
	}
	d, err := j.bytes("d", j.D)
	if err != nil {
		return nil, err
	}
	if len(d) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: JWK %q has a bad Ed25519 seed", ErrKeyFormat, j.Kid)
	}
	priv := ed25519.NewKeyFromSeed(d)
	if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(x)) {
		return nil, fmt.Errorf("%w: JWK %q: private and public parts differ", ErrKeyFormat, j.Kid)
	}
	return priv, nil
}

// publicJWK returns the public JWK of k, or false for an HMAC key.
func publicJWK(k *Key) (jwk, bool) {
	j := jwk{Kid: k.id, Use: "sig", Alg: k.alg}
	switch p := k.verify.(type) {
	case *rsa.PublicKey:
		j.Kty = "RSA"
		j.N = b64.EncodeToString(p.N.Bytes())
		j.E = b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		b, err := p.Bytes()
		if err != nil || len(b) != 65 {
			return j, false
		}
		j.Kty, j.Crv = "EC", "P-256"
		j.X = b64.EncodeToString(b[1:33])
		j.Y = b64.EncodeToString(b[33:])
	case ed25519.PublicKey:
		j.Kty, j.Crv = "OKP", "Ed25519"
		j.X = b64.EncodeToString(p)
	default:
		return j, false
	}
	return j, true
}

// PublicJWK returns k's public part as a JWK JSON object. HMAC keys have
// none: it returns an error wrapping [ErrKeyFormat].
func (k *Key) PublicJWK() ([]byte, error) {
	j, ok := publicJWK(k)
	if !ok {
		return nil, fmt.Errorf("%w: %s key %q has no public form", ErrKeyFormat, k.alg, k.id)
	}
	return json.Marshal(j)
}

// MarshalJWKS returns the JWK Set (RFC 7517 section 5) of the public keys
// in keys. HMAC keys are left out.
func MarshalJWKS(keys []*Key) ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for _, k := range keys {
		if j, ok := publicJWK(k); ok {
			set.Keys = append(set.Keys, j)
		}
	}
	return json.Marshal(set)
}

// ParseJWKS reads a JWK Set. Keys this package cannot use (encryption keys,
// other curves, missing kid) are skipped and reported in skipped, so one
// exotic key published by an issuer does not break verification with the
// others. An error is returned only when data is not a JWK Set.
func ParseJWKS(data []byte) (keys []*Key, skipped []error, err error) {
	var set jwks
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, fmt.Errorf("%w: JWKS: %v", ErrKeyFormat, err)
	}
	if set.Keys == nil {
		return nil, nil, fmt.Errorf("%w: JWKS without \"keys\"", ErrKeyFormat)
	}
	seen := make(map[string]bool, len(set.Keys))
	for i, raw := range set.Keys {
		k, err := ParseJWK(raw)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("key %d: %w", i, err))
			continue
		}
		if seen[k.id] {
			skipped = append(skipped, fmt.Errorf("key %d: %w: %q", i, ErrDuplicateKey, k.id))
			continue
		}
		seen[k.id] = true
		keys = append(keys, k)
	}
	return keys, skipped, nil
}

// JWKSMaxAge is how long clients may cache the response of [JWKSHandler].
const JWKSMaxAge = 5 * time.Minute

// JWKSHandler serves the public keys of ks as a JWK Set (RFC 7517), for
// /.well-known/jwks.json. HMAC keys are never published. The set is read at
// each request, so keys added to or removed from ks show at once (clients
// may cache it for [JWKSMaxAge]: add a new key that long before signing
// with it).
func JWKSHandler(ks *KeySet) http.Handler {
	cc := "public, max-age=" + strconv.Itoa(int(JWKSMaxAge/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			httpx.WriteProblem(w, r, &httpx.Error{Status: http.StatusMethodNotAllowed,
				Header: http.Header{"Allow": {"GET, HEAD"}}})
			return
		}
		b, err := MarshalJWKS(ks.Keys())
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", cc)
		_, _ = w.Write(b)
	})
}
