package httpx

import (
	"context"
	"net/http"
	"time"
)

// Timeout returns middleware that gives each request a context deadline d
// from now. Handlers that honour their context (database queries, outgoing
// calls) stop at the deadline, and a [HandlerFunc] that returns the
// resulting [context.DeadlineExceeded] gets a 503 problem response.
//
// Unlike [http.TimeoutHandler], Timeout does not buffer responses, so it works
// with streaming handlers; in exchange, a handler that ignores its context
// is not interrupted. Use the Server's WriteTimeout as the hard limit.
func Timeout(d time.Duration) func(http.Handler) http.Handler {
	if d <= 0 {
		panic("httpx: Timeout needs a positive duration")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
