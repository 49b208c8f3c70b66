package httpx

import (
	"context"
	"net/http"
)

type bodyLimitKey struct{}

// BodyLimit returns middleware that limits request bodies to n bytes. A
// request whose Content-Length is larger gets a 413 problem at once; a body
// that turns out larger fails on read with an [*http.MaxBytesError], which
// [Decode] reports as 413. Decode uses n instead of its 1 MiB default.
func BodyLimit(n int64) func(http.Handler) http.Handler {
	if n <= 0 {
		panic("httpx: BodyLimit needs a positive size")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				WriteProblem(w, r, tooLarge(n))
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r) // nothing to limit (GET, HEAD, ...)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyLimitKey{}, n)))
		})
	}
}

// bodyLimit returns the limit set by BodyLimit, or 0.
func bodyLimit(r *http.Request) int64 {
	n, _ := r.Context().Value(bodyLimitKey{}).(int64)
	return n
}
