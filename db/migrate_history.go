package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// historyRow is one row of the history table.
type historyRow struct {
	version   int64
	name      string
	checksum  string
	appliedAt time.Time
	dirty     bool
}

func createTableSQL(d Dialect, table string) string {
	switch d {
	case Postgres:
		return "CREATE TABLE IF NOT EXISTS " + table + ` (
	version    BIGINT PRIMARY KEY,
	name       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL,
	dirty      BOOLEAN NOT NULL DEFAULT FALSE
)`
	case MySQL:
		return "CREATE TABLE IF NOT EXISTS " + table + ` (
	version    BIGINT PRIMARY KEY,
	name       VARCHAR(255) NOT NULL,
	checksum   VARCHAR(64) NOT NULL,
	applied_at DATETIME(6) NOT NULL,
	dirty      BOOLEAN NOT NULL DEFAULT FALSE
)`
	}
	return "CREATE TABLE IF NOT EXISTS " + table + ` (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	applied_at TEXT NOT NULL,
	dirty      INTEGER NOT NULL DEFAULT 0
)`
}

type queryer interface {
	QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
}

// tableExists reports whether the history table exists.
func tableExists(ctx context.Context, q queryer, d Dialect, table string) (bool, error) {
	var n int
	var err error
	schema, name, qualified := strings.Cut(table, ".")
	if !qualified {
		schema, name = "", table
	}
	switch d {
	case Postgres:
		var reg sql.NullString
		err = q.QueryRowxContext(ctx, "SELECT to_regclass($1)::text", table).Scan(&reg)
		return reg.Valid, err
	case MySQL:
		if schema == "" {
			err = q.QueryRowxContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", name).Scan(&n)
		} else {
			err = q.QueryRowxContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", schema, name).Scan(&n)
		}
	default:
		master := "sqlite_master"
		if schema != "" {
			master = schema + ".sqlite_master"
		}
		err = q.QueryRowxContext(ctx, "SELECT COUNT(*) FROM "+master+" WHERE type = 'table' AND name = ?", name).Scan(&n)
	}
	return n > 0, err
}

// readHistory returns the history rows in version order.
func readHistory(ctx context.Context, q queryer, table string) ([]historyRow, error) {
	rows, err := q.QueryxContext(ctx, "SELECT version, name, checksum, applied_at, dirty FROM "+table+" ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("db: read %s: %w", table, err)
	}
	defer rows.Close()
	var out []historyRow
	for rows.Next() {
		var r historyRow
		var at any
		if err := rows.Scan(&r.version, &r.name, &r.checksum, &at, &r.dirty); err != nil {
			return nil, fmt.Errorf("db: read %s: %w", table, err)
		}
		if r.appliedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("db: read %s: version %d: %w", table, r.version, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: read %s: %w", table, err)
	}
	return out, nil
}

func parseTime(v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case []byte:
		s = string(x)
	case string:
		s = x
	default:
		return time.Time{}, fmt.Errorf("applied_at: unexpected %T", v)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("applied_at: cannot parse %q", s)
}

func (s *session) stamp() any {
	t := s.now().UTC()
	if s.d == SQLite {
		return t.Format(time.RFC3339Nano)
	}
	return t
}

func (s *session) insertRow(ctx context.Context, m *migration, dirty bool) error {
	_, err := s.c.ExecContext(ctx, s.q("INSERT INTO "+s.table+" (version, name, checksum, applied_at, dirty) VALUES (?, ?, ?, ?, ?)"),
		m.version, m.name, m.checksum, s.stamp(), dirty)
	if err != nil {
		return fmt.Errorf("db: record migration %s: %w", m.label(), err)
	}
	return nil
}

func (s *session) setDirty(ctx context.Context, version int64, dirty bool) error {
	_, err := s.c.ExecContext(ctx, s.q("UPDATE "+s.table+" SET dirty = ? WHERE version = ?"), dirty, version)
	if err != nil {
		return fmt.Errorf("db: update %s: %w", s.table, err)
	}
	return nil
}

func (s *session) deleteRow(ctx context.Context, version int64) error {
	_, err := s.c.ExecContext(ctx, s.q("DELETE FROM "+s.table+" WHERE version = ?"), version)
	if err != nil {
		return fmt.Errorf("db: update %s: %w", s.table, err)
	}
	return nil
}

// rowState reads one version's row: whether it exists and is dirty.
func (s *session) rowState(ctx context.Context, version int64) (exists, dirty bool, err error) {
	err = s.c.QueryRowxContext(ctx, s.q("SELECT dirty FROM "+s.table+" WHERE version = ?"), version).Scan(&dirty)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("db: read %s: %w", s.table, err)
	}
	return true, dirty, nil
}
