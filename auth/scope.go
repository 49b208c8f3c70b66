package auth

import (
	"net/http"
	"strings"

	"github.com/gokeel/keel/httpx"
)

// RequireScope lets a request through only if its claims (see [Middleware])
// hold every one of scopes. Without claims it answers 401; with claims
// lacking a scope, 403 with
// `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`
// (RFC 6750 section 3.1). Place it after [Middleware].
func RequireScope(scopes ...string) func(http.Handler) http.Handler {
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \"\\") {
			panic("auth: RequireScope: invalid scope " + `"` + s + `"`)
		}
	}
	want := strings.Join(scopes, " ")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := ClaimsFrom(r.Context())
			if c == nil {
				unauthorized(w, r, "", "", "The request has no bearer token.")
				return
			}
			for _, s := range scopes {
				if !c.HasScope(s) {
					httpx.WriteProblem(w, r, &httpx.Error{
						Status: http.StatusForbidden,
						Detail: "The token lacks the scope " + s + ".",
						Header: http.Header{"Www-Authenticate": {challenge("", "insufficient_scope", "", "scope", want)}},
					})
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
