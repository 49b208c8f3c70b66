// Package reqctx holds the per-request values shared by httpx and
// observability, which may not import each other: the request ID, the client
// IP and the request-scoped logger. Users reach them through
// httpx.RequestIDFrom, httpx.ClientIP and observability.Logger.
//
// All values live in one mutable State per request, added to the context by
// the first middleware that needs it. Later middleware fill in the same
// State instead of wrapping the context again, which saves two allocations
// per value. A State belongs to its request's handler goroutine.
package reqctx

import (
	"context"
	"net/http"
	"net/netip"

	"go.uber.org/zap"
)

type stateKey struct{}

// State is the per-request state.
type State struct {
	ID       string
	Logger   *zap.Logger
	ClientIP netip.Addr
}

// From returns the State in ctx, or nil.
func From(ctx context.Context) *State {
	s, _ := ctx.Value(stateKey{}).(*State)
	return s
}

// Ensure returns r's State, adding one to a copy of r when it has none.
func Ensure(r *http.Request) (*http.Request, *State) {
	if s := From(r.Context()); s != nil {
		return r, s
	}
	s := new(State)
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, s)), s
}

// WithID returns a context carrying the request ID id.
func WithID(ctx context.Context, id string) context.Context {
	if s := From(ctx); s != nil {
		s.ID = id
		return ctx
	}
	return context.WithValue(ctx, stateKey{}, &State{ID: id})
}

// ID returns the request ID in ctx, or "".
func ID(ctx context.Context) string {
	if s := From(ctx); s != nil {
		return s.ID
	}
	return ""
}

// WithLogger returns a context carrying l.
func WithLogger(ctx context.Context, l *zap.Logger) context.Context {
	if s := From(ctx); s != nil {
		s.Logger = l
		return ctx
	}
	return context.WithValue(ctx, stateKey{}, &State{Logger: l})
}

// Logger returns the logger in ctx, or nil.
func Logger(ctx context.Context) *zap.Logger {
	if s := From(ctx); s != nil {
		return s.Logger
	}
	return nil
}

// WithClientIP returns a context carrying the client address found by
// httpx.RealIP.
func WithClientIP(ctx context.Context, ip netip.Addr) context.Context {
	if s := From(ctx); s != nil {
		s.ClientIP = ip
		return ctx
	}
	return context.WithValue(ctx, stateKey{}, &State{ClientIP: ip})
}

// ClientIP returns the client address in ctx and whether there is one.
func ClientIP(ctx context.Context) (netip.Addr, bool) {
	if s := From(ctx); s != nil && s.ClientIP.IsValid() {
		return s.ClientIP, true
	}
	return netip.Addr{}, false
}
