package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of [NewVerifier].
const (
	DefaultLeeway       = 30 * time.Second
	DefaultMaxTokenSize = 8 << 10
)

type verifierConfig struct {
	issuer     string
	audience   []string
	leeway     time.Duration
	algs       []string
	maxSize    int
	revocation Revocation
	now        func() time.Time
	reg        prometheus.Registerer
	cacheSize  int // WithVerifyCache; 0: no cache
}

// Verifier checks signed JWTs. It takes the key by the token's "kid" from a
// [KeySource] and accepts the token only if:
//   - its "alg" is in the allow-list ([WithAlgorithms]) and is the algorithm
//     of that key (so "none" and HS256-with-an-RSA-public-key fail);
//   - the signature verifies;
//   - "exp" is present and not past, "nbf" and "iat" are not in the future
//     (each with the leeway of [WithLeeway]);
//   - "iss" and "aud" match [WithIssuer] and [WithAudience], when set;
//   - it is at most [WithMaxTokenSize] bytes;
//   - its "jti" is not revoked, when [WithRevocation] is set;
//   - it has no "crit" header (no JWS extension is supported).
//
// Keys are never taken from the token: "jku", "jwk", "x5u" and "x5c"
// headers are ignored.
//
// Each failure is a [*TokenError] wrapping its own sentinel. A Verifier is
// safe for concurrent use. Build one with [NewVerifier].
type Verifier struct {
	keys    KeySource
	parser  *jwt.Parser
	cfg     verifierConfig
	metrics *verifierMetrics // nil without WithMetrics
	// staticKeyfunc is set when keys needs no context (a *KeySet), to
	// spare a closure per verification.
	staticKeyfunc jwt.Keyfunc
	cache         *verifyCache // nil without WithVerifyCache
}

// NewVerifier returns a Verifier reading keys from keys (a [*KeySet] or a
// [*RemoteKeySet]). Options: [WithIssuer], [WithAudience], [WithLeeway],
// [WithAlgorithms], [WithMaxTokenSize], [WithRevocation], [WithClock],
// [WithMetrics], [WithVerifyCache].
func NewVerifier(keys KeySource, opts ...Option) (*Verifier, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: NewVerifier: nil key source", ErrConfig)
	}
	v := &Verifier{keys: keys, cfg: verifierConfig{
		leeway: DefaultLeeway, algs: []string{HS256, RS256, ES256, EdDSA},
		maxSize: DefaultMaxTokenSize, now: time.Now,
	}}
	if err := applyOptions("NewVerifier", &v.cfg, opts, func(o Option) func(*verifierConfig) error { return o.verifier }); err != nil {
		return nil, err
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(slices.Clone(v.cfg.algs)),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.cfg.leeway),
		jwt.WithTimeFunc(v.cfg.now),
	}
	if v.cfg.issuer != "" {
		popts = append(popts, jwt.WithIssuer(v.cfg.issuer))
	}
	if len(v.cfg.audience) > 0 {
		popts = append(popts, jwt.WithAudience(v.cfg.audience...))
	}
	v.parser = jwt.NewParser(popts...)
	if _, ok := keys.(*KeySet); ok {
		v.staticKeyfunc = func(t *jwt.Token) (any, error) { return v.keyFor(context.Background(), t) }
	}
	if v.cfg.cacheSize > 0 {
		v.cache = newVerifyCache(v.cfg.cacheSize)
	}
	if v.cfg.reg != nil {
		m, err := newVerifierMetrics(v.cfg.reg)
		if err != nil {
			return nil, err
		}
		v.metrics = m
	}
	return v, nil
}

// Verify checks token and returns its claims. A rejected token gives a
// [*TokenError] wrapping one of [ErrTokenMalformed], [ErrTokenTooLarge],
// [ErrAlgorithm], [ErrUnknownKey], [ErrTokenInvalid], [ErrTokenExpired],
// [ErrTokenNotYetValid], [ErrIssuer], [ErrAudience] or [ErrTokenRevoked].
// Any other error (keys or revocation list unreachable, ctx done) means
// the token could not be checked.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if v.cache != nil && len(token) <= v.cfg.maxSize {
		if c, hit, err := v.cached(ctx, token); hit {
			v.metrics.observe(err)
			return c, err
		}
	}
	var w claimsWire
	if err := v.verify(ctx, token, &w); err != nil {
		return nil, err
	}
	c, err := w.claims()
	if err != nil { // only when "aud" was not checked
		return nil, tokenErr(ErrTokenMalformed, err)
	}
	if v.cache != nil {
		v.remember(token, c)
	}
	return c, nil
}

// VerifyAs is [Verifier.Verify] for an app's own claim type T, which
// usually embeds [Claims]:
//
//	type MyClaims struct {
//		auth.Claims
//		Plan string `json:"plan"`
//	}
//	c, err := auth.VerifyAs[MyClaims](ctx, verifier, token)
//
// With [WithRevocation], T needs a TokenID() string method (Claims has one).
func VerifyAs[T any, P interface {
	*T
	jwt.Claims
}](ctx context.Context, v *Verifier, token string) (P, error) {
	c := P(new(T))
	if err := v.verify(ctx, token, c); err != nil {
		return nil, err
	}
	return c, nil
}

type tokenIDer interface{ TokenID() string }

func (v *Verifier) verify(ctx context.Context, token string, claims jwt.Claims) error {
	err := v.check(ctx, token, claims)
	v.metrics.observe(err)
	return err
}

func (v *Verifier) check(ctx context.Context, token string, claims jwt.Claims) error {
	if len(token) > v.cfg.maxSize {
		return tokenErr(ErrTokenTooLarge, fmt.Errorf("%d bytes, limit %d", len(token), v.cfg.maxSize))
	}
	keyfunc := v.staticKeyfunc
	if keyfunc == nil {
		keyfunc = func(t *jwt.Token) (any, error) { return v.keyFor(ctx, t) }
	}
	t, err := v.parser.ParseWithClaims(token, claims, keyfunc)
	if err != nil {
		return v.classify(t, err)
	}
	if v.cfg.revocation != nil {
		return v.checkRevoked(ctx, claims)
	}
	return nil
}

// keyFor returns the verification key for t: the key named by its "kid",
// provided the token's "alg" is that key's algorithm.
func (v *Verifier) keyFor(ctx context.Context, t *jwt.Token) (any, error) {
	if _, ok := t.Header["crit"]; ok {
		// RFC 7515 section 4.1.11: extensions we do not implement must
		// make the token invalid.
		return nil, errCrit
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, errNoKid
	}
	k, err := v.keys.Key(ctx, kid)
	if err != nil {
		return nil, err
	}
	if k.alg != t.Method.Alg() {
		return nil, errKeyAlg
	}
	return k.verify, nil
}

var (
	errNoKid  = errors.New("token has no kid")
	errKeyAlg = errors.New("token alg differs from its key's algorithm")
	errCrit   = errors.New("token has critical header extensions")
)

func (v *Verifier) checkRevoked(ctx context.Context, claims jwt.Claims) error {
	ider, ok := claims.(tokenIDer)
	if !ok {
		return fmt.Errorf("%w: revocation check needs a TokenID method on %T", ErrConfig, claims)
	}
	jti := ider.TokenID()
	if jti == "" {
		return tokenErr(ErrTokenInvalid, errors.New("token has no jti"))
	}
	revoked, err := v.cfg.revocation.IsRevoked(ctx, jti)
	if err != nil {
		return fmt.Errorf("auth: revocation check: %w", err)
	}
	if revoked {
		return tokenErr(ErrTokenRevoked, nil)
	}
	return nil
}

// classify maps a golang-jwt error to this package's sentinels.
func (v *Verifier) classify(t *jwt.Token, err error) error {
	switch {
	case errors.Is(err, errNoKid):
		return tokenErr(ErrUnknownKey, errNoKid)
	case errors.Is(err, ErrUnknownKey):
		return tokenErr(ErrUnknownKey, nil)
	case errors.Is(err, errKeyAlg):
		return tokenErr(ErrAlgorithm, errKeyAlg)
	case errors.Is(err, errCrit):
		return tokenErr(ErrTokenInvalid, errCrit)
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, jwt.ErrInvalidType):
		return tokenErr(ErrTokenMalformed, err)
	}
	if t != nil {
		if alg, _ := t.Header["alg"].(string); !slices.Contains(v.cfg.algs, alg) {
			return tokenErr(ErrAlgorithm, fmt.Errorf("alg %q", alg))
		}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		if t == nil || t.Method == nil {
			return tokenErr(ErrAlgorithm, err)
		}
		// The key source failed: not the token's fault.
		return fmt.Errorf("auth: verify: %w", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return tokenErr(ErrTokenInvalid, err)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return tokenErr(ErrIssuer, err)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return tokenErr(ErrAudience, err)
	case errors.Is(err, jwt.ErrTokenExpired):
		return tokenErr(ErrTokenExpired, err)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return tokenErr(ErrTokenNotYetValid, err)
	default:
		return tokenErr(ErrTokenInvalid, err)
	}
}
