package db

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Dialect is an SQL dialect keel knows how to lock and migrate. The zero
// value is an unknown dialect.
type Dialect int

// The dialects keel supports.
const (
	UnknownDialect Dialect = iota
	Postgres
	MySQL
	SQLite
)

// String returns "postgres", "mysql", "sqlite" or "unknown".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return "unknown"
}

// Placeholder returns the n-th (1-based) bind parameter: "$n" for
// PostgreSQL, "?" otherwise.
func (d Dialect) Placeholder(n int) string {
	if d == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Rebind rewrites a query written with "?" placeholders for the dialect.
func (d Dialect) Rebind(query string) string {
	if d == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}

// DialectFor returns the dialect of a database/sql driver name: "pgx",
// "pgx/v5", "postgres" and "cloudsqlpostgres" are PostgreSQL, names
// containing "mysql" are MySQL (and MariaDB), names containing "sqlite"
// (including "sqlite3" and "libsql") are SQLite. It returns
// ErrUnknownDialect for other names.
func DialectFor(driverName string) (Dialect, error) {
	n := strings.ToLower(driverName)
	switch {
	case n == "pgx" || strings.HasPrefix(n, "pgx/") || strings.Contains(n, "postgres") || n == "pq":
		return Postgres, nil
	case strings.Contains(n, "mysql") || strings.Contains(n, "mariadb"):
		return MySQL, nil
	case strings.Contains(n, "sqlite") || n == "libsql":
		return SQLite, nil
	}
	return UnknownDialect, fmt.Errorf("%w: driver %q", ErrUnknownDialect, driverName)
}

// DialectOf returns the dialect of dbx from its driver name (see DialectFor).
func DialectOf(dbx *sqlx.DB) (Dialect, error) {
	return DialectFor(dbx.DriverName())
}
