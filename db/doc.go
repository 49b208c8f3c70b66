// Package db takes a service from a DSN to a healthy, migrated database, and
// makes transactions hard to get wrong. It works on [*sqlx.DB] with
// PostgreSQL, MySQL/MariaDB and SQLite, and imports no SQL driver: the
// service imports the one it uses (for example
// _ "github.com/jackc/pgx/v5/stdlib" for driver "pgx",
// _ "github.com/go-sql-driver/mysql" for "mysql", _ "modernc.org/sqlite"
// for "sqlite").
//
// # Connecting
//
// [Open] opens a pool with sane limits (see [DefaultMaxOpenConns] and the
// other defaults) and waits for the database with bounded exponential
// backoff ([DefaultConnectBackoff]), so a service may start before its
// database. Bad credentials and unknown databases fail at once. Errors name
// the host, never the password. [HealthCheck] is a readiness check;
// [WithMetrics] exports pool statistics to Prometheus ([NewStatsCollector]);
// [WithSlowQueryLog] logs statements slower than a threshold. [DialectOf]
// tells PostgreSQL, MySQL and SQLite apart for placeholders ([Dialect.Rebind])
// and locking.
//
// # Transactions
//
// [InTx] begins, runs a function, and commits; it rolls back when the
// function returns an error or panics (and the panic goes on). Serialization
// failures and deadlocks (PostgreSQL 40001/40P01, MySQL 1213/1205, SQLite
// busy/locked; see [IsRetryable]) roll back and run the function again with
// backoff, a bounded number of times, so the function must be safe to
// repeat. A nested InTx (called with the context InTx gave the function)
// joins the outer transaction instead of taking a second connection, or
// runs in a savepoint with [Savepoint]; [TxFrom] gives repository code the
// caller's transaction.
//
// Because no driver is imported, error codes are read through what the
// drivers' errors expose: a SQLState() string method (pgx, lib/pq), the
// Number field of a struct type named MySQLError (go-sql-driver, by
// reflection), a Code() int method (modernc.org/sqlite), and SQLite's
// standard "database is locked" message for other SQLite drivers.
//
// # Migrations
//
// A [Migrator] applies versioned SQL files from any [io/fs.FS] (an
// embed.FS in practice) named NNNN_name.up.sql and NNNN_name.down.sql, and
// Go functions ([GoMigration]) for data changes. [Migrator.Up] (or
// [Migrate]) applies what is pending, [Migrator.To] (or [MigrateTo]) moves
// to a version up or down, [Migrator.Down] reverts the newest n, and
// [Migrator.Status] lists applied and pending migrations with checksums and
// applied-at times. A history table (default keel_migrations) records
// version, name, checksum (SHA-256 of the up file), applied_at and dirty.
//
// Before anything runs, the history is checked: a changed applied file is
// [ErrChecksumMismatch] (unless [AllowChecksumMismatch]), an applied version
// with no file is [ErrMissingMigration], a pending file older than the
// newest applied one is [ErrOutOfOrder] (unless [AllowOutOfOrder]). A bad
// file — unparseable name, duplicate version, empty up, unknown keel
// directive — is [ErrBadMigration] naming the file.
//
// # Concurrency and locking
//
// Any number of migrators, in any number of processes, may run at once:
// each migration is applied exactly once. On PostgreSQL the migrator holds a
// session-level pg_advisory_lock, on MySQL a GET_LOCK named after the
// database and table; both belong to the connection, so the server releases
// them if the process dies. SQLite has no such lock: each migration runs in
// a BEGIN IMMEDIATE transaction (the database's write lock, freed by the
// operating system if the process dies) and re-checks the history inside it.
// On SQLite, a no-transaction migration that another process is running
// looks dirty to a second process until it ends. The file's statements are
// sent in one Exec: a MySQL DSN needs multiStatements=true for files with
// several statements.
//
// # SQLite
//
// SQLite allows one writer at a time. Give its DSN a busy timeout (for
// modernc.org/sqlite: "file:app.db?_pragma=busy_timeout(5000)"), and
// consider WAL mode; writers that still collide get SQLITE_BUSY, which
// InTx retries.
//
// # Transactions and dirty state
//
// On PostgreSQL and SQLite, whose DDL is transactional, each migration and
// its history row commit or roll back together. MySQL commits DDL
// implicitly, so there the history row is written dirty before the
// migration runs and cleaned after it succeeds; a failure leaves it dirty,
// and every later run fails with [ErrDirty] explaining what to do: inspect
// the schema, finish or undo the migration by hand, then call
// [Migrator.Force] with the outcome. A file whose leading comments include
// the line
//
//	-- keel:no-transaction
//
// runs outside a transaction (for CREATE INDEX CONCURRENTLY and the like)
// with the same dirty bookkeeping on every dialect; it should hold a single
// statement.
//
// The command in examples/migrate exposes Up, To, Down, Status and Force.
package db
