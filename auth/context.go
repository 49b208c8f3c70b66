package auth

import "context"

type claimsKey struct{}

// WithClaims returns a copy of ctx carrying c. [Middleware] and
// [Sessions.Middleware] call it; tests and non-HTTP callers may too.
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFrom returns the claims [Middleware] put in ctx, or nil when the
// request is anonymous (see [WithAnonymous]) or did not pass the middleware.
func ClaimsFrom(ctx context.Context) *Claims {
	c, _ := ctx.Value(claimsKey{}).(*Claims)
	return c
}
