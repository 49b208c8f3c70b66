package db

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test for them with [errors.Is]; the returned errors wrap
// them with detail (file names, versions, hosts).
var (
	// ErrInvalidOption is returned by Open, InTx and NewMigrator when an
	// option has an invalid value.
	ErrInvalidOption = errors.New("db: invalid option")

	// ErrUnavailable is returned by Open when the database did not answer
	// within the connection backoff. The error names the host, never the
	// password.
	ErrUnavailable = errors.New("db: database unavailable")

	// ErrUnknownDialect is returned when the dialect of a driver cannot be
	// told from its name; pass the dialect explicitly with WithDialect.
	ErrUnknownDialect = errors.New("db: unknown SQL dialect")

	// ErrRetriesExhausted is returned by InTx when every attempt failed with
	// a retryable error (serialization failure, deadlock, busy database). It
	// wraps the last such error as well.
	ErrRetriesExhausted = errors.New("db: transaction retries exhausted")

	// ErrBadMigration is returned by NewMigrator for an unparseable file
	// name, a duplicate version, an empty up migration or an unknown keel
	// directive. The error names the file.
	ErrBadMigration = errors.New("db: bad migration")

	// ErrChecksumMismatch is returned when an applied migration's file has
	// changed since it was applied (see AllowChecksumMismatch).
	ErrChecksumMismatch = errors.New("db: migration checksum mismatch")

	// ErrMissingMigration is returned when the history table records a
	// version that has no migration any more.
	ErrMissingMigration = errors.New("db: applied migration is missing")

	// ErrOutOfOrder is returned when a pending migration has a lower version
	// than the latest applied one (see AllowOutOfOrder).
	ErrOutOfOrder = errors.New("db: out-of-order migration")

	// ErrDirty is returned when a migration failed half-way without a
	// transaction to undo it (MySQL DDL, no-transaction migrations) and the
	// database needs a human. The error says what to do.
	ErrDirty = errors.New("db: database is dirty")

	// ErrNoDown is returned by Down and MigrateTo when a migration to undo
	// has no down migration.
	ErrNoDown = errors.New("db: migration has no down")

	// ErrUnknownVersion is returned by MigrateTo and Force for a version
	// that no migration has.
	ErrUnknownVersion = errors.New("db: unknown migration version")

	// ErrLockTimeout is returned by a migrator that waited longer than its
	// lock timeout (see WithLockTimeout) for another migrator to finish.
	ErrLockTimeout = errors.New("db: migration lock timeout")
)

// MigrationError reports the failure of one migration. It wraps the
// database error.
type MigrationError struct {
	Version   int64
	Name      string
	Direction string // "up" or "down"
	Err       error
}

// Error implements error.
func (e *MigrationError) Error() string {
	return fmt.Sprintf("db: migration %d_%s (%s): %v", e.Version, e.Name, e.Direction, e.Err)
}

// Unwrap returns the underlying error.
func (e *MigrationError) Unwrap() error { return e.Err }
