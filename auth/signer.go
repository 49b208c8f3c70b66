package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultTokenTTL is the lifetime [Signer.Sign] gives tokens without
// ExpiresAt, unless [WithTTL] says otherwise.
const DefaultTokenTTL = 15 * time.Minute

type signerConfig struct {
	issuer   string
	audience []string
	ttl      time.Duration
	now      func() time.Time
}

// Signer issues signed JWTs (compact JWS) with one key, whose ID goes in the
// "kid" header. It is safe for concurrent use; [Signer.SetKey] switches keys
// during rotation without stopping it. Build one with [NewSigner].
type Signer struct {
	key atomic.Pointer[Key]
	cfg signerConfig
}

// NewSigner returns a Signer for key, which must hold private (or secret)
// material ([ErrNotSigningKey] otherwise). Options: [WithTTL], [WithIssuer],
// [WithAudience], [WithClock].
func NewSigner(key *Key, opts ...Option) (*Signer, error) {
	s := &Signer{cfg: signerConfig{ttl: DefaultTokenTTL, now: time.Now}}
	if err := applyOptions("NewSigner", &s.cfg, opts, func(o Option) func(*signerConfig) error { return o.signer }); err != nil {
		return nil, err
	}
	if err := s.SetKey(key); err != nil {
		return nil, err
	}
	return s, nil
}

// SetKey makes s sign with key from now on. Add key to the verifiers' key
// sets first (and wait for JWKS caches to expire), so every token it signs
// can be verified.
func (s *Signer) SetKey(key *Key) error {
	if key == nil || !key.CanSign() {
		return fmt.Errorf("%w: NewSigner needs a private or secret key", ErrNotSigningKey)
	}
	s.key.Store(key)
	return nil
}

// Key returns the key s signs with.
func (s *Signer) Key() *Key { return s.key.Load() }

// Sign returns a signed token for c. Empty claims are filled in: Issuer and
// Audience from the options, IssuedAt with the current time, ExpiresAt with
// IssuedAt plus the TTL, and ID with a random 128-bit value.
func (s *Signer) Sign(c Claims) (string, error) {
	now := s.cfg.now()
	if c.Issuer == "" {
		c.Issuer = s.cfg.issuer
	}
	if len(c.Audience) == 0 && len(s.cfg.audience) > 0 {
		c.Audience = s.cfg.audience
	}
	if c.IssuedAt == nil {
		c.IssuedAt = jwt.NewNumericDate(now)
	}
	if c.ExpiresAt == nil {
		c.ExpiresAt = jwt.NewNumericDate(c.IssuedAt.Add(s.cfg.ttl))
	}
	if c.ID == "" {
		id, err := randomID(16)
		if err != nil {
			return "", err
		}
		c.ID = id
	}
	return s.SignClaims(c)
}

// SignClaims signs any claims as they are, for apps with their own claim
// types (see [VerifyAs]); nothing is filled in.
func (s *Signer) SignClaims(c jwt.Claims) (string, error) {
	k := s.key.Load()
	t := jwt.NewWithClaims(k.method, c)
	t.Header["kid"] = k.id
	tok, err := t.SignedString(k.sign)
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	return tok, nil
}

// randomID returns n random bytes, base64url-encoded.
func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
