package db

import (
	"fmt"
	"regexp"
	"time"

	"go.uber.org/zap"
)

// MigrateOption configures NewMigrator, Migrate and MigrateTo.
type MigrateOption func(*migrateConfig) error

type migrateConfig struct {
	table           string
	allowDrift      bool
	allowOutOfOrder bool
	log             *zap.Logger
	now             func() time.Time
	gos             []GoMigration
	dialect         Dialect
	lockTimeout     time.Duration
}

// DefaultMigrationsTable is the history table's default name.
const DefaultMigrationsTable = "keel_migrations"

// DefaultLockTimeout bounds how long a migrator waits for another one to
// finish.
const DefaultLockTimeout = 5 * time.Minute

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$`)

// WithTable names the history table (default "keel_migrations"; "schema.table"
// is allowed). Two applications sharing a database use different tables.
func WithTable(name string) MigrateOption {
	return func(c *migrateConfig) error {
		if !identRE.MatchString(name) {
			return fmt.Errorf("%w: WithTable(%q): want an SQL identifier", ErrInvalidOption, name)
		}
		c.table = name
		return nil
	}
}

// AllowChecksumMismatch lets an applied migration's file change without
// error (e.g. a comment fixed after release). Mismatches are still logged
// and shown by Status.
func AllowChecksumMismatch() MigrateOption {
	return func(c *migrateConfig) error { c.allowDrift = true; return nil }
}

// AllowOutOfOrder applies pending migrations whose version is lower than
// the latest applied one (e.g. merged from a long-lived branch) instead of
// failing with ErrOutOfOrder.
func AllowOutOfOrder() MigrateOption {
	return func(c *migrateConfig) error { c.allowOutOfOrder = true; return nil }
}

// WithMigrateLogger logs each migration applied or reverted (default none).
func WithMigrateLogger(l *zap.Logger) MigrateOption {
	return func(c *migrateConfig) error {
		if l == nil {
			return fmt.Errorf("%w: WithMigrateLogger(nil)", ErrInvalidOption)
		}
		c.log = l
		return nil
	}
}

// WithMigrateClock sets the clock that stamps applied_at (default
// time.Now).
func WithMigrateClock(now func() time.Time) MigrateOption {
	return func(c *migrateConfig) error {
		if now == nil {
			return fmt.Errorf("%w: WithMigrateClock(nil)", ErrInvalidOption)
		}
		c.now = now
		return nil
	}
}

// WithGoMigrations adds migrations written in Go.
func WithGoMigrations(ms ...GoMigration) MigrateOption {
	return func(c *migrateConfig) error { c.gos = append(c.gos, ms...); return nil }
}

// WithDialect sets the dialect when it cannot be told from the driver name
// (see DialectFor).
func WithDialect(d Dialect) MigrateOption {
	return func(c *migrateConfig) error {
		if d < Postgres || d > SQLite {
			return fmt.Errorf("%w: WithDialect(%d)", ErrInvalidOption, d)
		}
		c.dialect = d
		return nil
	}
}

// WithLockTimeout bounds how long a migrator waits for the migration lock
// held by another one (default 5m).
func WithLockTimeout(d time.Duration) MigrateOption {
	return func(c *migrateConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: WithLockTimeout(%v): must be positive", ErrInvalidOption, d)
		}
		c.lockTimeout = d
		return nil
	}
}
