package main

import (
	"net/http"

	"github.com/gokeel/keel/db"
	"github.com/gokeel/keel/httpx"
)

// unavailableAs503 turns errors that mean "the database is down or
// restarting" (db.IsUnavailable) into 503 problems with Retry-After, so
// clients and load balancers back off and retry, instead of 500s.
func unavailableAs503(h httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err != nil && db.IsUnavailable(err) {
			return &httpx.Error{
				Status: http.StatusServiceUnavailable,
				Detail: "The service is temporarily unavailable; retry shortly.",
				Header: http.Header{"Retry-After": {"1"}},
				Err:    err,
			}
		}
		return err
	}
}
