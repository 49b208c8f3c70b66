// Package reqctx holds the per-request context values shared by httpx and
// observability, which may not import each other: the request ID, the
// client IP and the request-scoped logger. Users reach them through httpx.RequestIDFrom and
// observability.Logger.
package reqctx

import (
	"context"
	"net/netip"

	"go.uber.org/zap"
)

type idKey struct{}
type loggerKey struct{}

// WithID returns a copy of ctx carrying the request ID id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, idKey{}, id)
}

// ID returns the request ID in ctx, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(idKey{}).(string)
	return id
}

// WithLogger returns a copy of ctx carrying l.
func WithLogger(ctx context.Context, l *zap.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the logger in ctx, or nil.
func Logger(ctx context.Context) *zap.Logger {
	l, _ := ctx.Value(loggerKey{}).(*zap.Logger)
	return l
}

type clientIPKey struct{}

// WithClientIP returns a copy of ctx carrying the client address found by
// httpx.RealIP.
func WithClientIP(ctx context.Context, ip netip.Addr) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the client address in ctx and whether there is one.
func ClientIP(ctx context.Context) (netip.Addr, bool) {
	ip, ok := ctx.Value(clientIPKey{}).(netip.Addr)
	return ip, ok
}
