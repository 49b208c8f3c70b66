package db

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"
)

// Migrator applies and reverts versioned migrations and records them in a
// history table. Create one with NewMigrator; it is safe for concurrent use,
// and any number of migrators, in any number of processes, may run against
// one database at once: each migration is applied exactly once.
type Migrator struct {
	db         *sqlx.DB
	cfg        migrateConfig
	migrations []*migration
	byVersion  map[int64]*migration
}

// MigrationStatus is one migration as Status sees it.
type MigrationStatus struct {
	Version int64
	Name    string
	// Checksum is the SHA-256 of the up file ("" for Go migrations).
	Checksum string
	Applied  bool
	// AppliedAt is when it was applied (UTC), if it was.
	AppliedAt time.Time
	// AppliedChecksum is the checksum recorded when it was applied; it
	// differs from Checksum when the file changed since.
	AppliedChecksum string
	// Dirty means the migration failed part-way (see ErrDirty).
	Dirty bool
	// Missing means the history records it but no migration has its version.
	Missing bool
}

// NewMigrator reads the migrations at the root of fsys (use fs.Sub for a
// directory; fsys may be nil when there are only Go migrations): files named
// NNNN_name.up.sql and NNNN_name.down.sql (other file extensions are
// ignored). A bad file (unparseable name, duplicate version, empty up,
// unknown directive) is an ErrBadMigration naming it. The database is not
// touched until a method is called.
func NewMigrator(dbx *sqlx.DB, fsys fs.FS, opts ...MigrateOption) (*Migrator, error) {
	cfg := migrateConfig{table: DefaultMigrationsTable, log: zap.NewNop(), now: time.Now, lockTimeout: DefaultLockTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if dbx == nil {
		return nil, fmt.Errorf("%w: nil database", ErrInvalidOption)
	}
	if cfg.dialect == UnknownDialect {
		d, err := DialectOf(dbx)
		if err != nil {
			return nil, err
		}
		cfg.dialect = d
	}
	ms, err := loadMigrations(fsys, cfg.gos)
	if err != nil {
		return nil, err
	}
	m := &Migrator{db: dbx, cfg: cfg, migrations: ms, byVersion: make(map[int64]*migration, len(ms))}
	for _, x := range ms {
		m.byVersion[x.version] = x
	}
	return m, nil
}

// Migrate applies every pending migration in fsys to dbx (see NewMigrator
// and Migrator.Up).
func Migrate(ctx context.Context, dbx *sqlx.DB, fsys fs.FS, opts ...MigrateOption) error {
	m, err := NewMigrator(dbx, fsys, opts...)
	if err != nil {
		return err
	}
	return m.Up(ctx)
}

// MigrateTo migrates dbx up or down to version (see Migrator.To).
func MigrateTo(ctx context.Context, dbx *sqlx.DB, fsys fs.FS, version int64, opts ...MigrateOption) error {
	m, err := NewMigrator(dbx, fsys, opts...)
	if err != nil {
		return err
	}
	return m.To(ctx, version)
}

// Latest returns the highest migration version known, or 0.
func (m *Migrator) Latest() int64 {
	if len(m.migrations) == 0 {
		return 0
	}
	return m.migrations[len(m.migrations)-1].version
}

// Up applies every pending migration, in version order, each in its own
// transaction where the dialect allows (see the package documentation). It
// first checks the history: a dirty migration (ErrDirty), an applied
// migration that no longer exists (ErrMissingMigration), a changed file
// (ErrChecksumMismatch) or a pending migration older than the latest
// applied one (ErrOutOfOrder) stops it before anything runs.
func (m *Migrator) Up(ctx context.Context) error {
	return m.run(ctx, func(ctx context.Context, s *session, applied map[int64]historyRow) error {
		return m.up(ctx, s, applied, m.Latest())
	})
}

// To migrates up to version (applying pending migrations up to it) or down
// to it (reverting applied migrations above it, newest first). Version 0
// reverts everything; any other version must exist (ErrUnknownVersion).
func (m *Migrator) To(ctx context.Context, version int64) error {
	if version != 0 && m.byVersion[version] == nil {
		return fmt.Errorf("%w: %d", ErrUnknownVersion, version)
	}
	return m.run(ctx, func(ctx context.Context, s *session, applied map[int64]historyRow) error {
		var above []int64
		for v := range applied {
			if v > version {
				above = append(above, v)
			}
		}
		if len(above) > 0 {
			return m.down(ctx, s, sortDesc(above))
		}
		return m.up(ctx, s, applied, version)
	})
}

// Down reverts the n most recently versioned applied migrations, newest
// first. Every one of them needs a down migration (ErrNoDown), checked
// before anything runs. n larger than the number applied reverts all.
func (m *Migrator) Down(ctx context.Context, n int) error {
	if n <= 0 {
		return fmt.Errorf("%w: Down(%d): n must be positive", ErrInvalidOption, n)
	}
	return m.run(ctx, func(ctx context.Context, s *session, applied map[int64]historyRow) error {
		vs := make([]int64, 0, len(applied))
		for v := range applied {
			vs = append(vs, v)
		}
		vs = sortDesc(vs)
		return m.down(ctx, s, vs[:min(n, len(vs))])
	})
}

// Status lists every migration, applied or pending, in version order,
// followed by applied versions that have no migration any more. It takes
// no lock and changes nothing.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	ok, err := tableExists(ctx, m.db, m.cfg.dialect, m.cfg.table)
	if err != nil {
		return nil, fmt.Errorf("db: status: %w", err)
	}
	var rows []historyRow
	if ok {
		if rows, err = readHistory(ctx, m.db, m.cfg.table); err != nil {
			return nil, err
		}
	}
	applied := map[int64]historyRow{}
	for _, r := range rows {
		applied[r.version] = r
	}
	out := make([]MigrationStatus, 0, len(m.migrations))
	for _, x := range m.migrations {
		st := MigrationStatus{Version: x.version, Name: x.name, Checksum: x.checksum}
		if r, ok := applied[x.version]; ok {
			st.Applied, st.AppliedAt, st.AppliedChecksum, st.Dirty = true, r.appliedAt, r.checksum, r.dirty
		}
		out = append(out, st)
	}
	for _, r := range rows {
		if m.byVersion[r.version] == nil {
			out = append(out, MigrationStatus{Version: r.version, Name: r.name, Applied: true, AppliedAt: r.appliedAt,
				AppliedChecksum: r.checksum, Dirty: r.dirty, Missing: true})
		}
	}
	return out, nil
}

// Force repairs the history after a human fixed a dirty migration by hand:
// with applied true, version is recorded as cleanly applied (with the
// current checksum); with applied false, its record is removed, as if it
// had never run. It runs no migration SQL.
func (m *Migrator) Force(ctx context.Context, version int64, applied bool) error {
	x := m.byVersion[version]
	if applied && x == nil {
		return fmt.Errorf("%w: %d", ErrUnknownVersion, version)
	}
	return m.session(ctx, func(ctx context.Context, s *session) error {
		return s.inTx(ctx, func() error {
			if err := s.deleteRow(ctx, version); err != nil {
				return err
			}
			if applied {
				return s.insertRow(ctx, x, false)
			}
			return nil
		})
	})
}

// session runs f on a dedicated connection holding the migration lock,
// with the history table in place.
func (m *Migrator) session(ctx context.Context, f func(ctx context.Context, s *session) error) error {
	c, err := m.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	s := &session{c: c, d: m.cfg.dialect, table: m.cfg.table, driver: m.db.DriverName(), timeout: m.cfg.lockTimeout, now: m.cfg.now}
	defer s.close()
	if err := s.prepare(ctx); err != nil {
		return err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	create := func() error {
		_, err := s.c.ExecContext(ctx, createTableSQL(s.d, s.table))
		return err
	}
	if s.d == SQLite {
		err = s.inTx(ctx, create)
	} else {
		err = create()
	}
	if err != nil {
		return fmt.Errorf("db: create %s: %w", s.table, err)
	}
	return f(ctx, s)
}

// run reads and checks the history under the lock, then calls f.
func (m *Migrator) run(ctx context.Context, f func(ctx context.Context, s *session, applied map[int64]historyRow) error) error {
	return m.session(ctx, func(ctx context.Context, s *session) error {
		rows, err := readHistory(ctx, s.c, s.table)
		if err != nil {
			return err
		}
		applied := make(map[int64]historyRow, len(rows))
		for _, r := range rows {
			if r.dirty {
				return m.dirtyError(r.version, r.name, nil)
			}
			x := m.byVersion[r.version]
			if x == nil {
				return fmt.Errorf("%w: version %d (%s) is recorded in %s but has no migration file", ErrMissingMigration, r.version, r.name, s.table)
			}
			if x.checksum != "" && r.checksum != x.checksum {
				if !m.cfg.allowDrift {
					return fmt.Errorf("%w: %s changed since it was applied (checksum %.12s, applied %.12s); restore it, or add a new migration", ErrChecksumMismatch, x.source, x.checksum, r.checksum)
				}
				m.cfg.log.Warn("db: applied migration changed", zap.String("file", x.source))
			}
			applied[r.version] = r
		}
		return f(ctx, s, applied)
	})
}

func (m *Migrator) up(ctx context.Context, s *session, applied map[int64]historyRow, target int64) error {
	var maxApplied int64
	for v := range applied {
		maxApplied = max(maxApplied, v)
	}
	var pending []*migration
	for _, x := range m.migrations {
		if x.version > target {
			break
		}
		if _, ok := applied[x.version]; ok {
			continue
		}
		if x.version < maxApplied && !m.cfg.allowOutOfOrder {
			return fmt.Errorf("%w: %s (version %d) is pending but version %d is already applied; renumber it or use AllowOutOfOrder", ErrOutOfOrder, x.source, x.version, maxApplied)
		}
		pending = append(pending, x)
	}
	for _, x := range pending {
		if err := m.apply(ctx, s, x, true); err != nil {
			return err
		}
	}
	return nil
}

func (m *Migrator) down(ctx context.Context, s *session, versions []int64) error {
	for _, v := range versions {
		if !m.byVersion[v].hasDown {
			return fmt.Errorf("%w: %s", ErrNoDown, m.byVersion[v].label())
		}
	}
	for _, v := range versions {
		if err := m.apply(ctx, s, m.byVersion[v], false); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration up or down and records it. On PostgreSQL and
// SQLite a migration, and its history row, are one transaction. On MySQL
// (whose DDL commits implicitly) and for no-transaction migrations the row
// is first written dirty and cleaned after success, so a failure leaves a
// dirty record for a human.
func (m *Migrator) apply(ctx context.Context, s *session, x *migration, up bool) error {
	dir, body, fn, noTx := "down", x.downSQL, x.downFn, x.downNoTx
	if up {
		dir, body, fn, noTx = "up", x.upSQL, x.upFn, x.upNoTx
	}
	start := time.Now()
	exec := func() error {
		var err error
		if fn != nil {
			err = fn(ctx, s.ext())
		} else if strings.TrimSpace(body) != "" && (up || !x.downEmpty) {
			_, err = s.c.ExecContext(ctx, body)
		}
		if err != nil {
			return &MigrationError{Version: x.version, Name: x.name, Direction: dir, Err: err}
		}
		return nil
	}
	// still reports whether the step is still to do: another migrator may
	// have done it (SQLite has no session lock, so it is re-checked inside
	// the write transaction).
	still := func() error {
		if s.d != SQLite {
			return nil // the session lock already rules out other migrators
		}
		exists, dirty, err := s.rowState(ctx, x.version)
		if err != nil {
			return err
		}
		if dirty {
			return m.dirtyError(x.version, x.name, nil)
		}
		if exists != up {
			return nil
		}
		return errSkip
	}
	var err error
	if !noTx && s.d != MySQL {
		err = s.inTx(ctx, func() error {
			if err := still(); err != nil {
				return err
			}
			if err := exec(); err != nil {
				return err
			}
			if up {
				return s.insertRow(ctx, x, false)
			}
			return s.deleteRow(ctx, x.version)
		})
	} else {
		err = s.inTx(ctx, func() error {
			if err := still(); err != nil {
				return err
			}
			if up {
				return s.insertRow(ctx, x, true)
			}
			return s.setDirty(ctx, x.version, true)
		})
		if err == nil {
			if noTx {
				err = exec()
			} else {
				err = s.inTx(ctx, exec)
			}
			if err != nil {
				return m.dirtyError(x.version, x.name, err)
			}
			if up {
				err = s.setDirty(ctx, x.version, false)
			} else {
				err = s.deleteRow(ctx, x.version)
			}
		}
	}
	if err == errSkip {
		return nil
	}
	if err != nil {
		return err
	}
	m.cfg.log.Info("db: migration "+dir, zap.Int64("version", x.version), zap.String("name", x.name), zap.Duration("took", time.Since(start)))
	return nil
}

// dirtyError explains a dirty migration and how to recover.
func (m *Migrator) dirtyError(version int64, name string, cause error) error {
	msg := fmt.Sprintf("migration %d_%s failed part-way and may be partly applied", version, name)
	if m.cfg.dialect == MySQL {
		msg += " (MySQL commits DDL statements at once, so they could not be rolled back)"
	}
	msg += fmt.Sprintf(". Inspect the schema, finish or undo the migration by hand, then record the outcome with "+
		"Migrator.Force(ctx, %d, true) if it is now applied or Force(ctx, %d, false) if it is not "+
		"(examples/migrate: force %d applied|pending)", version, version, version)
	if cause != nil {
		return fmt.Errorf("%w: %s: %w", ErrDirty, msg, cause)
	}
	return fmt.Errorf("%w: %s", ErrDirty, msg)
}

func sortDesc(vs []int64) []int64 {
	slices.Sort(vs)
	slices.Reverse(vs)
	return vs
}
