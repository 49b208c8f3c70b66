package httpx

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"strconv"

	"github.com/gokeel/keel/internal/reqctx"
)

// RequestIDHeader is the header [RequestID] reads and writes.
const RequestIDHeader = "X-Request-ID"

// RequestIDOptions configures [RequestIDWithOptions]. A zero
// RequestIDOptions uses the defaults.
type RequestIDOptions struct {
	// Header is the request and response header; "" means X-Request-ID.
	Header string
	// IgnoreIncoming makes the middleware always generate a new ID, even
	// when the request carries an acceptable one. Set it when clients are
	// untrusted and IDs must be unique.
	IgnoreIncoming bool
	// Generate returns a new ID; nil means 16 random hex digits.
	Generate func() string
}

// RequestID returns middleware that gives every request an ID: the incoming
// X-Request-ID when it is sane (1 to 128 characters of letters, digits and
// -_.:/+=), else a new random one. The ID is put in the request context
// ([RequestIDFrom]), in the response header, and in problem responses.
func RequestID() func(http.Handler) http.Handler {
	return RequestIDWithOptions(RequestIDOptions{})
}

// RequestIDWithOptions is [RequestID] with options.
func RequestIDWithOptions(o RequestIDOptions) func(http.Handler) http.Handler {
	header := textproto.CanonicalMIMEHeaderKey(o.Header)
	if header == "" {
		header = textproto.CanonicalMIMEHeaderKey(RequestIDHeader)
	}
	gen := o.Generate
	if gen == nil {
		gen = newRequestID
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := ""
			if !o.IgnoreIncoming {
				// Index the map with the canonical key: Get would
				// canonicalise (and allocate) on every request.
				if in := r.Header[header]; len(in) > 0 && validRequestID(in[0]) {
					id = in[0]
				}
			}
			if id == "" {
				id = gen()
			}
			w.Header()[header] = []string{id}
			r, st := reqctx.Ensure(r)
			st.ID = id
			next.ServeHTTP(w, r)
		})
	}
}

// RequestIDFrom returns the request ID that [RequestID] put in ctx, or "".
func RequestIDFrom(ctx context.Context) string { return reqctx.ID(ctx) }

func newRequestID() string {
	var buf [16]byte
	b := strconv.AppendUint(buf[:0], rand.Uint64()|1<<63, 16)
	return string(b)
}

func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '/', c == '+', c == '=':
		default:
			return false
		}
	}
	return true
}
