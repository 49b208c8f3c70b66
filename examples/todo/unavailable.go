package main

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/gokeel/keel/httpx"
)

// errUnavailable is the answer while the database cannot be reached: 503,
// with Retry-After, so clients and load balancers back off and retry.
func errUnavailable(cause error) error {
	return &httpx.Error{
		Status: http.StatusServiceUnavailable,
		Detail: "The service is temporarily unavailable; retry shortly.",
		Header: http.Header{"Retry-After": {"1"}},
		Err:    cause,
	}
}

// unavailableAs503 turns errors that mean "the database is down or
// restarting" into 503 problems instead of 500s.
func unavailableAs503(h httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err != nil && isUnavailable(err) {
			return errUnavailable(err)
		}
		return err
	}
}

// isUnavailable recognises connection failures of PostgreSQL, MySQL and the
// network without importing the drivers' error types.
func isUnavailable(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &ne),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		code := st.SQLState()
		// 08: connection exception; 57P01-57P03: shutdown, crash, starting up.
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03"
	}
	var my interface{ Number() uint16 }
	if errors.As(err, &my) {
		switch my.Number() {
		case 1053, 2002, 2003, 2006, 2013: // server shutdown, can't connect, gone away, lost connection
			return true
		}
	}
	return false
}
