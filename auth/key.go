package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/golang-jwt/jwt/v5"
)

// Signing algorithms supported by [Signer] and [Verifier] (RFC 7518 names).
const (
	HS256 = "HS256" // HMAC with SHA-256; a shared secret of at least 32 bytes
	RS256 = "RS256" // RSASSA-PKCS1-v1_5 with SHA-256; RSA keys of at least 2048 bits
	ES256 = "ES256" // ECDSA on P-256 with SHA-256
	EdDSA = "EdDSA" // Ed25519
)

// MinHMACSecret is the shortest HMAC secret [NewHMACKey] accepts, in bytes
// (RFC 7518 section 3.2: a key of the same size as the hash output).
const MinHMACSecret = 32

// Bounds on the RSA modulus accepted.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// Key is a signing or verification key with a key ID ("kid") and the one
// algorithm it may be used with. Binding the algorithm to the key is what
// stops algorithm confusion: a token whose "alg" differs from its key's
// algorithm is rejected with [ErrAlgorithm].
//
// A Key is immutable and safe for concurrent use. Build one with
// [NewHMACKey], [NewKey], [GenerateKey], [ParseKey], [ParseJWK],
// [LoadKeyFile] or [KeyFromEnv].
type Key struct {
	id     string
	alg    string
	method jwt.SigningMethod
	sign   any // []byte, *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey; nil if public only
	verify any // []byte, *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey
}

// ID returns the key ID.
func (k *Key) ID() string { return k.id }

// Algorithm returns the key's algorithm: [HS256], [RS256], [ES256] or [EdDSA].
func (k *Key) Algorithm() string { return k.alg }

// CanSign reports whether the key holds private (or secret) material.
func (k *Key) CanSign() bool { return k.sign != nil }

// Symmetric reports whether the key is an HMAC secret. Symmetric keys are
// never published by [JWKSHandler].
func (k *Key) Symmetric() bool { return k.alg == HS256 }

// Public returns the key without its private part. For an HMAC key, which
// has no public part, it returns k itself.
func (k *Key) Public() *Key {
	if k.Symmetric() || k.sign == nil {
		return k
	}
	c := *k
	c.sign = nil
	return &c
}

// PublicKey returns the verification key: a []byte secret,
// *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
func (k *Key) PublicKey() any { return k.verify }

// NewHMACKey returns an [HS256] key. A secret shorter than
// [MinHMACSecret] bytes is refused with [ErrWeakKey]. The secret is copied.
func NewHMACKey(kid string, secret []byte) (*Key, error) {
	if kid == "" {
		return nil, fmt.Errorf("%w: empty key id", ErrConfig)
	}
	if len(secret) < MinHMACSecret {
		return nil, fmt.Errorf("%w: HMAC secret of %d bytes, need at least %d", ErrWeakKey, len(secret), MinHMACSecret)
	}
	s := bytes.Clone(secret)
	return &Key{id: kid, alg: HS256, method: jwt.SigningMethodHS256, sign: s, verify: s}, nil
}

// NewKey wraps a Go crypto key: *rsa.PrivateKey or *rsa.PublicKey ([RS256],
// at least 2048 bits), *ecdsa.PrivateKey or *ecdsa.PublicKey on P-256
// ([ES256]), ed25519.PrivateKey or ed25519.PublicKey ([EdDSA]), or a []byte
// HMAC secret ([HS256], see [NewHMACKey]).
func NewKey(kid string, key any) (*Key, error) {
	if kid == "" {
		return nil, fmt.Errorf("%w: empty key id", ErrConfig)
	}
	switch k := key.(type) {
	case []byte:
		return NewHMACKey(kid, k)
	case *rsa.PrivateKey:
		if err := checkRSA(&k.PublicKey); err != nil {
			return nil, err
		}
		return &Key{id: kid, alg: RS256, method: jwt.SigningMethodRS256, sign: k, verify: &k.PublicKey}, nil
	case *rsa.PublicKey:
		if err := checkRSA(k); err != nil {
			return nil, err
		}
		return &Key{id: kid, alg: RS256, method: jwt.SigningMethodRS256, verify: k}, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA curve %s, only P-256 is supported", ErrKeyFormat, k.Curve.Params().Name)
		}
		return &Key{id: kid, alg: ES256, method: jwt.SigningMethodES256, sign: k, verify: &k.PublicKey}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA curve %s, only P-256 is supported", ErrKeyFormat, k.Curve.Params().Name)
		}
		return &Key{id: kid, alg: ES256, method: jwt.SigningMethodES256, verify: k}, nil
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrKeyFormat, len(k))
		}
		return &Key{id: kid, alg: EdDSA, method: jwt.SigningMethodEdDSA, sign: k, verify: k.Public().(ed25519.PublicKey)}, nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrKeyFormat, len(k))
		}
		return &Key{id: kid, alg: EdDSA, method: jwt.SigningMethodEdDSA, verify: k}, nil
	default:
		return nil, fmt.Errorf("%w: key of type %T", ErrKeyFormat, key)
	}
}

func checkRSA(k *rsa.PublicKey) error {
	if k.N == nil || k.N.BitLen() < minRSABits {
		n := 0
		if k.N != nil {
			n = k.N.BitLen()
		}
		return fmt.Errorf("%w: RSA key of %d bits, need at least %d", ErrWeakKey, n, minRSABits)
	}
	if k.N.BitLen() > maxRSABits {
		return fmt.Errorf("%w: RSA key of %d bits, at most %d supported", ErrKeyFormat, k.N.BitLen(), maxRSABits)
	}
	return nil
}

// GenerateKey makes a new random key for alg: a 32-byte secret for
// [HS256], a 2048-bit RSA key for [RS256], a P-256 key for [ES256], an
// Ed25519 key for [EdDSA].
func GenerateKey(kid, alg string) (*Key, error) {
	switch alg {
	case HS256:
		s := make([]byte, MinHMACSecret)
		if _, err := rand.Read(s); err != nil {
			return nil, err
		}
		return NewHMACKey(kid, s)
	case RS256:
		k, err := rsa.GenerateKey(rand.Reader, minRSABits)
		if err != nil {
			return nil, err
		}
		return NewKey(kid, k)
	case ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		return NewKey(kid, k)
	case EdDSA:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return NewKey(kid, k)
	default:
		return nil, fmt.Errorf("%w: algorithm %q", ErrConfig, alg)
	}
}

// ParseKey reads a key from PEM (PKCS #8, PKCS #1, SEC 1 private keys,
// PKIX public keys or an X.509 certificate) or from a JWK (RFC 7517) JSON
// object. kid names the key; for a JWK an empty kid means the JWK's own
// "kid".
func ParseKey(kid string, data []byte) (*Key, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		return parsePEM(kid, trimmed)
	case bytes.HasPrefix(trimmed, []byte("{")):
		k, err := ParseJWK(trimmed)
		if err != nil {
			return nil, err
		}
		if kid != "" && kid != k.id {
			c := *k
			c.id = kid
			k = &c
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%w: neither PEM nor JWK", ErrKeyFormat)
	}
}

func parsePEM(kid string, data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrKeyFormat)
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrKeyFormat, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: PEM %s: %v", ErrKeyFormat, block.Type, err)
	}
	return NewKey(kid, key)
}

// LoadKeyFile reads a key from a PEM or JWK file (see [ParseKey]).
func LoadKeyFile(kid, path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: load key: %w", err)
	}
	k, err := ParseKey(kid, b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return k, nil
}

// KeyFromEnv reads a key from the environment variable name. The value may
// be PEM or a JWK (see [ParseKey]); any other value is an [HS256] secret
// taken as it is, at least [MinHMACSecret] bytes long. An unset or empty
// variable is an error. The value never appears in errors.
func KeyFromEnv(kid, name string) (*Key, error) {
	v := os.Getenv(name)
	if v == "" {
		return nil, fmt.Errorf("%w: environment variable %s is empty", ErrKeyFormat, name)
	}
	t := bytes.TrimSpace([]byte(v))
	if bytes.HasPrefix(t, []byte("-----BEGIN")) || bytes.HasPrefix(t, []byte("{")) {
		k, err := ParseKey(kid, t)
		if err != nil {
			return nil, fmt.Errorf("%w (environment variable %s)", err, name)
		}
		return k, nil
	}
	k, err := NewHMACKey(kid, []byte(v))
	if err != nil {
		return nil, fmt.Errorf("%w (environment variable %s)", err, name)
	}
	return k, nil
}
