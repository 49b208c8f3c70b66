package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gokeel/keel/httpx"
	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"
)

type middlewareConfig struct {
	cookie    string
	anonymous bool
	realm     string
	log       *zap.Logger
}

// Middleware authenticates requests with v. It reads the token from
// "Authorization: Bearer <token>" (or, with [WithCookie], from a cookie
// when there is no such header), verifies it, and passes the request on
// with the claims in its context (see [ClaimsFrom]).
//
// A request without a token gets 401 with "WWW-Authenticate: Bearer"; a
// request with a bad token gets 401 with
// `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 section 3),
// both as application/problem+json. With [WithAnonymous], requests without
// a token pass with no claims. If the token cannot be checked at all (keys
// or revocation list unreachable) the answer is 503.
//
// Options: [WithCookie], [WithAnonymous], [WithRealm], [WithLogger]. Bad
// options panic when Middleware is called: it runs at wiring time.
func Middleware(v *Verifier, opts ...Option) func(http.Handler) http.Handler {
	return newMiddleware("Middleware", v, opts, func(ctx context.Context, tok string) (context.Context, error) {
		c, err := v.Verify(ctx, tok)
		if err != nil {
			return nil, err
		}
		return WithClaims(ctx, c), nil
	})
}

// MiddlewareAs is [Middleware] for an app's own claim type T (see
// [VerifyAs]): the verified *T goes in the context, read it back with
// [ClaimsAs]. When T embeds [Claims], those claims are put in the context
// too, so [ClaimsFrom], [Require] and [RequireScope] work unchanged.
func MiddlewareAs[T any, P interface {
	*T
	jwt.Claims
}](v *Verifier, opts ...Option) func(http.Handler) http.Handler {
	return newMiddleware("MiddlewareAs", v, opts, func(ctx context.Context, tok string) (context.Context, error) {
		c, err := VerifyAs[T, P](ctx, v, tok)
		if err != nil {
			return nil, err
		}
		ctx = context.WithValue(ctx, typedClaimsKey[T]{}, (*T)(c))
		if b, ok := any(c).(interface{ base() *Claims }); ok {
			ctx = WithClaims(ctx, b.base())
		}
		return ctx, nil
	})
}

type typedClaimsKey[T any] struct{}

// ClaimsAs returns the claims [MiddlewareAs] put in ctx, or nil.
func ClaimsAs[T any](ctx context.Context) *T {
	c, _ := ctx.Value(typedClaimsKey[T]{}).(*T)
	return c
}

func newMiddleware(name string, v *Verifier, opts []Option,
	verify func(ctx context.Context, tok string) (context.Context, error)) func(http.Handler) http.Handler {
	if v == nil {
		panic("auth: " + name + ": nil Verifier")
	}
	cfg := middlewareConfig{log: zap.NewNop()}
	if err := applyOptions(name, &cfg, opts, func(o Option) func(*middlewareConfig) error { return o.mw }); err != nil {
		panic(err.Error())
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, ok := cfg.token(r)
			if !ok {
				if cfg.anonymous {
					next.ServeHTTP(w, r)
					return
				}
				unauthorized(w, r, cfg.realm, "", "The request has no bearer token.")
				return
			}
			ctx, err := verify(r.Context(), tok)
			if err != nil {
				var te *TokenError
				if !errors.As(err, &te) {
					cfg.log.Warn("auth: token could not be verified", zap.Error(err))
					httpx.WriteProblem(w, r, &httpx.Error{Status: http.StatusServiceUnavailable,
						Detail: "The token could not be verified now.", Err: err})
					return
				}
				unauthorized(w, r, cfg.realm, "invalid_token", describe(te.Sentinel))
				return
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// token finds the bearer token of r.
func (c *middlewareConfig) token(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			t := strings.TrimSpace(h[7:])
			return t, t != ""
		}
		// Another scheme: treat it as a token that cannot verify, so the
		// client learns it is refused rather than being taken as anonymous.
		return h, true
	}
	if c.cookie != "" {
		if ck, err := r.Cookie(c.cookie); err == nil && ck.Value != "" {
			return ck.Value, true
		}
	}
	return "", false
}

// describe returns a client-safe description of a token rejection.
func describe(sentinel error) string {
	switch sentinel {
	case ErrTokenExpired:
		return "The token has expired."
	case ErrTokenNotYetValid:
		return "The token is not valid yet."
	case ErrTokenRevoked:
		return "The token has been revoked."
	case ErrTokenTooLarge:
		return "The token is too large."
	case ErrTokenMalformed:
		return "The token is malformed."
	default:
		return "The token is invalid."
	}
}

// challenge builds a WWW-Authenticate value (RFC 6750 section 3).
func challenge(realm, code, desc string, extra ...string) string {
	var b strings.Builder
	b.WriteString("Bearer")
	sep := " "
	add := func(k, v string) {
		b.WriteString(sep)
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(v)
		b.WriteString(`"`)
		sep = ", "
	}
	if realm != "" {
		add("realm", realm)
	}
	if code != "" {
		add("error", code)
		if desc != "" {
			add("error_description", desc)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		add(extra[i], extra[i+1])
	}
	return b.String()
}

func unauthorized(w http.ResponseWriter, r *http.Request, realm, code, detail string) {
	httpx.WriteProblem(w, r, &httpx.Error{
		Status: http.StatusUnauthorized,
		Detail: detail,
		Header: http.Header{"Www-Authenticate": {challenge(realm, code, strings.TrimSuffix(detail, "."))}},
	})
}
