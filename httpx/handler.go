package httpx

import "net/http"

// HandlerFunc is an HTTP handler that returns an error instead of writing
// one. A nil error means the handler wrote its response. A non-nil error is
// written by [WriteError]: an [*Error] as its problem response, anything else
// as a 500 whose text is logged, never sent.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f and writes its error, if any.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, r, err)
	}
}
