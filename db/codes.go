package db

import (
	"errors"
	"reflect"
	"strings"
)

// The package imports no SQL driver, so it reads error codes through what
// the drivers' error types expose:
//
//   - PostgreSQL (pgx *pgconn.PgError, lib/pq *pq.Error): a SQLState() string
//     method.
//   - MySQL (go-sql-driver *mysql.MySQLError): an exported Number field of a
//     struct type named MySQLError, read by reflection.
//   - SQLite (modernc.org/sqlite *sqlite.Error): a Code() int method; for
//     other SQLite drivers, the standard messages "database is locked" and
//     "database table is locked".

// sqlState returns the PostgreSQL SQLSTATE of err, or "".
func sqlState(err error) string {
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return ""
}

// mysqlNumber returns the MySQL error number of err.
func mysqlNumber(err error) (int, bool) {
	found, n := false, 0
	walk(err, func(e error) bool {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || v.Type().Name() != "MySQLError" {
			return false
		}
		f := v.FieldByName("Number")
		if !f.IsValid() || !f.CanUint() {
			return false
		}
		found, n = true, int(f.Uint())
		return true
	})
	return n, found
}

// sqliteCode returns the primary SQLite result code of err.
func sqliteCode(err error) (int, bool) {
	var c interface{ Code() int }
	if errors.As(err, &c) {
		return c.Code() & 0xff, true
	}
	return 0, false
}

// walk calls f on err and every error it wraps until f returns true.
func walk(err error, f func(error) bool) bool {
	for err != nil {
		if f(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walk(e, f) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}

// IsRetryable reports whether err means a transaction lost a race and
// running it again may succeed: PostgreSQL serialization_failure (40001)
// and deadlock_detected (40P01); MySQL/MariaDB deadlock (1213) and lock wait
// timeout (1205); SQLite SQLITE_BUSY (5) and SQLITE_LOCKED (6). InTx retries
// exactly these.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	switch sqlState(err) {
	case "40001", "40P01":
		return true
	}
	if n, ok := mysqlNumber(err); ok {
		return n == 1213 || n == 1205
	}
	if c, ok := sqliteCode(err); ok {
		return c == 5 || c == 6
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "database table is locked")
}

// isPermanent reports whether a connection error will not go away by
// waiting: bad credentials or a database that does not exist.
func isPermanent(err error) bool {
	switch s := sqlState(err); {
	case strings.HasPrefix(s, "28"), s == "3D000":
		return true
	}
	if n, ok := mysqlNumber(err); ok {
		switch n {
		case 1044, 1045, 1049, 1698:
			return true
		}
	}
	return false
}
