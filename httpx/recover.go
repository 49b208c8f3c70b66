package httpx

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime/debug"

	"github.com/gokeel/keel/internal/reqctx"
	"go.uber.org/zap"
)

// RecoverOptions configures [RecoverWithOptions]. A zero RecoverOptions
// uses the defaults.
type RecoverOptions struct {
	// Logger receives the panic and its stack. nil means the request's
	// context logger (see observability.Middleware) or, without one, the
	// standard library's log package.
	Logger *zap.Logger
}

// Recover returns middleware that turns a panic in a handler into a 500
// problem response and logs the panic value with its stack. A panic with
// [http.ErrAbortHandler] is re-panicked, so net/http aborts the response as
// the handler intended.
func Recover() func(http.Handler) http.Handler {
	return RecoverWithOptions(RecoverOptions{})
}

// RecoverWithOptions is [Recover] with options.
func RecoverWithOptions(o RecoverOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				stack := debug.Stack()
				l := o.Logger
				if l == nil {
					l = reqctx.Logger(r.Context())
				}
				if l != nil {
					l.Error("panic in handler",
						zap.String("panic", fmt.Sprint(v)),
						zap.String("request_id", reqctx.ID(r.Context())),
						zap.ByteString("stack", stack))
				} else {
					log.Printf("httpx: panic in handler (request %q): %v\n%s", reqctx.ID(r.Context()), v, stack)
				}
				WriteProblem(w, r, &Error{Status: http.StatusInternalServerError})
			}()
			next.ServeHTTP(w, r)
		})
	}
}
