package db

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// IsUnavailable reports whether err means the database could not be
// reached or went away mid-query — a server restarting, a network
// failure — rather than anything wrong with the query. Such requests are
// worth a 503 with Retry-After, not a 500:
//
//	if db.IsUnavailable(err) {
//		return &httpx.Error{Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"1"}}, Err: err}
//	}
//
// It recognises network errors, [driver.ErrBadConn], a connection cut
// mid-reply, PostgreSQL SQLSTATE class 08 (connection exception) and
// 57P01–57P03 (shutdown, crash, starting up), and MySQL/MariaDB 1053
// (shutdown), 2002, 2003 (cannot connect), 2006 (gone away) and 2013 (lost
// connection). An error wrapping [ErrUnavailable] (from [Open]) counts too.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrUnavailable), errors.Is(err, driver.ErrBadConn), errors.As(err, &ne),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	if s := sqlState(err); s != "" {
		return strings.HasPrefix(s, "08") || s == "57P01" || s == "57P02" || s == "57P03"
	}
	if n, ok := mysqlNumber(err); ok {
		switch n {
		case 1053, 2002, 2003, 2006, 2013:
			return true
		}
	}
	return false
}
