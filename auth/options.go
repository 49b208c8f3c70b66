package auth

import (
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Option configures one of this package's constructors. Some options apply
// to several (WithClock, WithTTL, WithIssuer, ...); giving an option to a
// constructor it does not apply to is an error wrapping [ErrConfig], as is
// an invalid value.
type Option struct {
	name     string
	signer   func(*signerConfig) error
	verifier func(*verifierConfig) error
	mw       func(*middlewareConfig) error
	remote   func(*remoteConfig) error
	store    func(*storeConfig) error // RefreshTokens and Sessions
	require  func(*requireConfig) error
}

func applyOptions[C any](ctor string, c *C, opts []Option, pick func(Option) func(*C) error) error {
	for _, o := range opts {
		f := pick(o)
		if f == nil {
			if o.name == "" {
				return fmt.Errorf("%w: zero Option given to %s", ErrConfig, ctor)
			}
			return fmt.Errorf("%w: %s does not apply to %s", ErrConfig, o.name, ctor)
		}
		if err := f(c); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrConfig, o.name, err)
		}
	}
	return nil
}

// WithClock sets the clock used for issuing and checking times (default
// time.Now). For [NewSigner], [NewVerifier], [NewRemoteKeySet],
// [NewRefreshTokens], [NewSessions], [NewMemoryTokenStore],
// [NewMemoryRevocation] and [Require].
func WithClock(now func() time.Time) Option {
	check := func() error {
		if now == nil {
			return fmt.Errorf("nil clock")
		}
		return nil
	}
	return Option{name: "WithClock",
		signer:   func(c *signerConfig) error { c.now = now; return check() },
		verifier: func(c *verifierConfig) error { c.now = now; return check() },
		remote:   func(c *remoteConfig) error { c.now = now; return check() },
		store:    func(c *storeConfig) error { c.now = now; return check() },
		require:  func(c *requireConfig) error { c.now = now; return check() },
	}
}

// WithLogger sets the logger (default zap.NewNop()). For [Middleware],
// [NewRemoteKeySet] and [Require] (which logs denied decisions with their
// reason, for audit).
func WithLogger(l *zap.Logger) Option {
	check := func() error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		return nil
	}
	return Option{name: "WithLogger",
		mw:      func(c *middlewareConfig) error { c.log = l; return check() },
		remote:  func(c *remoteConfig) error { c.log = l; return check() },
		require: func(c *requireConfig) error { c.log = l; return check() },
	}
}

// WithTTL sets a lifetime: of access tokens for [NewSigner] (default 15
// minutes; used when Claims.ExpiresAt is empty), of refresh tokens for
// [NewRefreshTokens] (default 30 days), of sessions for [NewSessions]
// (default 24 hours).
func WithTTL(d time.Duration) Option {
	check := func() error {
		if d <= 0 {
			return fmt.Errorf("TTL %v is not positive", d)
		}
		return nil
	}
	return Option{name: "WithTTL",
		signer: func(c *signerConfig) error { c.ttl = d; return check() },
		store:  func(c *storeConfig) error { c.ttl = d; return check() },
	}
}

// WithIssuer sets the "iss" claim: written by [NewSigner]'s Signer,
// required to match by [NewVerifier]'s Verifier ([ErrIssuer]).
func WithIssuer(iss string) Option {
	check := func() error {
		if iss == "" {
			return fmt.Errorf("empty issuer")
		}
		return nil
	}
	return Option{name: "WithIssuer",
		signer:   func(c *signerConfig) error { c.issuer = iss; return check() },
		verifier: func(c *verifierConfig) error { c.issuer = iss; return check() },
	}
}

// WithAudience sets the "aud" claim: written by [NewSigner]'s Signer; for
// [NewVerifier], a token must name at least one of aud ([ErrAudience]).
func WithAudience(aud ...string) Option {
	check := func() error {
		if len(aud) == 0 {
			return fmt.Errorf("no audience")
		}
		for _, a := range aud {
			if a == "" {
				return fmt.Errorf("empty audience")
			}
		}
		return nil
	}
	return Option{name: "WithAudience",
		signer:   func(c *signerConfig) error { c.audience = aud; return check() },
		verifier: func(c *verifierConfig) error { c.audience = aud; return check() },
	}
}

// WithLeeway sets the clock skew tolerated on "exp", "nbf" and "iat"
// (default 30 seconds, at most 5 minutes). For [NewVerifier].
func WithLeeway(d time.Duration) Option {
	return Option{name: "WithLeeway", verifier: func(c *verifierConfig) error {
		if d < 0 || d > 5*time.Minute {
			return fmt.Errorf("leeway %v outside 0..5m", d)
		}
		c.leeway = d
		return nil
	}}
}

// WithAlgorithms sets the algorithms a [Verifier] accepts (default all of
// [HS256], [RS256], [ES256], [EdDSA]; each key still accepts only its own).
// The list comes from configuration, never from the token.
func WithAlgorithms(algs ...string) Option {
	return Option{name: "WithAlgorithms", verifier: func(c *verifierConfig) error {
		if len(algs) == 0 {
			return fmt.Errorf("no algorithm")
		}
		for _, a := range algs {
			switch a {
			case HS256, RS256, ES256, EdDSA:
			default:
				return fmt.Errorf("unsupported algorithm %q", a)
			}
		}
		c.algs = algs
		return nil
	}}
}

// WithMaxTokenSize sets the longest token a [Verifier] parses, in bytes
// (default 8 KiB). Longer tokens are rejected with [ErrTokenTooLarge].
func WithMaxTokenSize(n int) Option {
	return Option{name: "WithMaxTokenSize", verifier: func(c *verifierConfig) error {
		if n < 64 {
			return fmt.Errorf("max token size %d below 64", n)
		}
		c.maxSize = n
		return nil
	}}
}

// WithRevocation makes a [Verifier] check each token's "jti" against list;
// a listed token is rejected with [ErrTokenRevoked], and a token without
// "jti" with [ErrTokenInvalid]. If the list cannot be read the token is
// rejected (fail closed) with an error that is not a [*TokenError].
func WithRevocation(list Revocation) Option {
	return Option{name: "WithRevocation", verifier: func(c *verifierConfig) error {
		if list == nil {
			return fmt.Errorf("nil revocation list")
		}
		c.revocation = list
		return nil
	}}
}

// WithCookie names a cookie: [Middleware] reads the token from it when
// there is no Authorization header; [NewSessions] keeps the session ID in
// it (default "session"). Browsers send cookies on cross-site requests
// too: keep such cookies SameSite=Lax or Strict (as [Sessions] does) or
// add CSRF protection for state-changing requests.
func WithCookie(name string) Option {
	check := func() error {
		if name == "" || !validCookieName(name) {
			return fmt.Errorf("invalid cookie name %q", name)
		}
		return nil
	}
	return Option{name: "WithCookie",
		mw:    func(c *middlewareConfig) error { c.cookie = name; return check() },
		store: func(c *storeConfig) error { c.cookie = name; return check() },
	}
}

func validCookieName(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b >= 0x7f || b == '=' || b == ';' || b == ',' || b == '"' {
			return false
		}
	}
	return true
}

// WithAnonymous lets [Middleware] pass requests that carry no token, with
// no claims in their context. Requests with a bad token are still refused.
func WithAnonymous() Option {
	return Option{name: "WithAnonymous", mw: func(c *middlewareConfig) error { c.anonymous = true; return nil }}
}

// WithRealm sets the realm of the WWW-Authenticate challenge of
// [Middleware], [RequireScope] and [Require].
func WithRealm(realm string) Option {
	check := func() error {
		for i := 0; i < len(realm); i++ {
			if realm[i] < ' ' || realm[i] == '"' || realm[i] == '\\' || realm[i] >= 0x7f {
				return fmt.Errorf("realm %q has characters not allowed in a quoted string", realm)
			}
		}
		return nil
	}
	return Option{name: "WithRealm",
		mw:      func(c *middlewareConfig) error { c.realm = realm; return check() },
		require: func(c *requireConfig) error { c.realm = realm; return check() },
	}
}

// WithHTTPClient sets the client a [RemoteKeySet] fetches with (default a
// client with a 10 second timeout).
func WithHTTPClient(hc *http.Client) Option {
	return Option{name: "WithHTTPClient", remote: func(c *remoteConfig) error {
		if hc == nil {
			return fmt.Errorf("nil client")
		}
		c.client = hc
		return nil
	}}
}

// WithRefreshInterval sets how often [RemoteKeySet.Run] fetches the key set
// (default 15 minutes).
func WithRefreshInterval(d time.Duration) Option {
	return Option{name: "WithRefreshInterval", remote: func(c *remoteConfig) error {
		if d <= 0 {
			return fmt.Errorf("interval %v is not positive", d)
		}
		c.interval = d
		return nil
	}}
}

// WithMinRefreshInterval sets the least time between two fetches of a
// [RemoteKeySet] (default 1 minute). Tokens with unknown key IDs trigger a
// fetch at most this often, so they cannot make it hammer the issuer.
func WithMinRefreshInterval(d time.Duration) Option {
	return Option{name: "WithMinRefreshInterval", remote: func(c *remoteConfig) error {
		if d < 0 {
			return fmt.Errorf("interval %v is negative", d)
		}
		c.minInterval = d
		return nil
	}}
}

// WithMaxStale sets how long a [RemoteKeySet] keeps using its last good key
// set while the issuer cannot be reached (default 24 hours). After that,
// verification fails with [ErrKeysUnavailable].
func WithMaxStale(d time.Duration) Option {
	return Option{name: "WithMaxStale", remote: func(c *remoteConfig) error {
		if d <= 0 {
			return fmt.Errorf("max stale %v is not positive", d)
		}
		c.maxStale = d
		return nil
	}}
}

// WithReuseGrace makes [RefreshTokens.Rotate] tolerate a refresh token
// presented again less than d after it was rotated (default 0: never):
// the second use is still refused with [ErrTokenReused], but the family is
// not revoked, so a client that refreshed twice in parallel (two tabs)
// keeps its session. The price: a thief who uses a stolen token within d
// of the owner is not detected. Keep d to a few seconds. For
// [NewRefreshTokens].
func WithReuseGrace(d time.Duration) Option {
	return Option{name: "WithReuseGrace", store: func(c *storeConfig) error {
		if d < 0 || d > time.Minute {
			return fmt.Errorf("grace %v outside 0..1m", d)
		}
		c.grace = d
		return nil
	}}
}

// WithSameSite sets the SameSite mode of the session cookie of
// [NewSessions] (default http.SameSiteLaxMode).
func WithSameSite(mode http.SameSite) Option {
	return Option{name: "WithSameSite", store: func(c *storeConfig) error {
		if mode == http.SameSiteNoneMode && c.insecure {
			return fmt.Errorf("SameSite=None needs a Secure cookie")
		}
		c.sameSite = mode
		return nil
	}}
}

// WithInsecureCookie drops the Secure attribute of the session cookie of
// [NewSessions], for local development over plain HTTP only.
func WithInsecureCookie() Option {
	return Option{name: "WithInsecureCookie", store: func(c *storeConfig) error { c.insecure = true; return nil }}
}

// WithResource tells [Require] how to find the attributes of the resource a
// request is about (such as its owner), for ABAC conditions. An error from
// f is written with httpx.WriteError (so an *httpx.Error such as a 404 is
// sent as it is).
func WithResource(f func(r *http.Request) (Attributes, error)) Option {
	return Option{name: "WithResource", require: func(c *requireConfig) error {
		if f == nil {
			return fmt.Errorf("nil resource func")
		}
		c.resource = f
		return nil
	}}
}
