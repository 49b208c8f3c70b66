package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// session is one migrator run on one dedicated connection: the lock, the
// history reads and writes and the migrations all use it.
type session struct {
	c       *sqlx.Conn
	d       Dialect
	table   string
	driver  string
	timeout time.Duration
	now     func() time.Time
	restore func()
}

// connExt lets Go migrations use the session's connection as a
// sqlx.ExtContext.
type connExt struct {
	*sqlx.Conn
	driver string
}

var _ sqlx.ExtContext = connExt{}

func (c connExt) DriverName() string { return c.driver }

func (c connExt) BindNamed(q string, arg any) (string, []any, error) {
	return sqlx.BindNamed(sqlx.BindType(c.driver), q, arg)
}

func (s *session) ext() sqlx.ExtContext { return connExt{s.c, s.driver} }

func (s *session) q(query string) string { return s.d.Rebind(query) }

// discard closes the session's connection for good, so a connection that may
// still hold a lock or a transaction never goes back to the pool.
func (s *session) discard() {
	_ = s.c.Raw(func(any) error { return driver.ErrBadConn })
	_ = s.c.Close()
}

func (s *session) close() {
	if s.restore != nil {
		s.restore()
	}
	_ = s.c.Close()
}

// prepare sets SQLite's busy timeout on the connection for the session, so
// that it waits for other processes' locks instead of failing.
func (s *session) prepare(ctx context.Context) error {
	if s.d != SQLite {
		return nil
	}
	var old int64
	if err := s.c.QueryRowxContext(ctx, "PRAGMA busy_timeout").Scan(&old); err != nil {
		return fmt.Errorf("db: read busy_timeout: %w", err)
	}
	ms := strconv.FormatInt(s.timeout.Milliseconds(), 10)
	if _, err := s.c.ExecContext(ctx, "PRAGMA busy_timeout = "+ms); err != nil {
		return fmt.Errorf("db: set busy_timeout: %w", err)
	}
	s.restore = func() {
		_, _ = s.c.ExecContext(context.Background(), "PRAGMA busy_timeout = "+strconv.FormatInt(old, 10))
	}
	return nil
}

func (s *session) lockKey() int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("keel_migrate:" + s.table))
	return int64(h.Sum64())
}

// lock takes the dialect's session-level migration lock: it is released by
// unlock, or by the server when the connection dies with the process.
// SQLite has no such lock; each migration there runs under BEGIN IMMEDIATE
// and re-checks the history instead.
func (s *session) lock(ctx context.Context) (unlock func(), err error) {
	lctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	timeout := func(err error) error {
		if lctx.Err() != nil && ctx.Err() == nil {
			return fmt.Errorf("%w: waited %v for another migrator: %w", ErrLockTimeout, s.timeout, err)
		}
		return fmt.Errorf("db: migration lock: %w", err)
	}
	release := func(query string, args ...any) func() {
		return func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := s.c.ExecContext(rctx, query, args...); err != nil {
				s.discard() // the server frees the lock with the connection
			}
		}
	}
	switch s.d {
	case Postgres:
		key := s.lockKey()
		if _, err := s.c.ExecContext(lctx, "SELECT pg_advisory_lock($1)", key); err != nil {
			s.discard()
			return nil, timeout(err)
		}
		return release("SELECT pg_advisory_unlock($1)", key), nil
	case MySQL:
		var dbName sql.NullString
		if err := s.c.QueryRowxContext(lctx, "SELECT DATABASE()").Scan(&dbName); err != nil {
			return nil, timeout(err)
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte(dbName.String + "." + s.table))
		name := fmt.Sprintf("keel_migrate_%x", h.Sum64())
		for {
			wait := 1
			if dl, ok := lctx.Deadline(); ok {
				wait = max(1, min(5, int(time.Until(dl).Seconds())))
			}
			var got sql.NullInt64
			if err := s.c.QueryRowxContext(lctx, "SELECT GET_LOCK(?, ?)", name, wait).Scan(&got); err != nil {
				s.discard()
				return nil, timeout(err)
			}
			if got.Valid && got.Int64 == 1 {
				return release("SELECT RELEASE_LOCK(?)", name), nil
			}
			if !got.Valid {
				return nil, fmt.Errorf("db: migration lock: GET_LOCK(%q) failed", name)
			}
			if lctx.Err() != nil {
				return nil, timeout(lctx.Err())
			}
		}
	}
	return func() {}, nil
}

// begin starts a transaction on the session's connection. On SQLite it is
// BEGIN IMMEDIATE, which takes the database's write lock at once.
func (s *session) begin(ctx context.Context) error {
	stmt := "BEGIN"
	if s.d == SQLite {
		stmt = "BEGIN IMMEDIATE"
	}
	start := s.now()
	b := Backoff{Initial: 5 * time.Millisecond, Max: 100 * time.Millisecond}.withDefaults(Backoff{})
	for attempt := 1; ; attempt++ {
		_, err := s.c.ExecContext(ctx, stmt)
		if err == nil {
			return nil
		}
		if !IsRetryable(err) {
			return fmt.Errorf("db: begin: %w", err)
		}
		if s.now().Sub(start) > s.timeout {
			return fmt.Errorf("%w: waited %v for the database lock: %w", ErrLockTimeout, s.timeout, err)
		}
		if err := b.Sleep(ctx, b.delay(attempt)); err != nil {
			return err
		}
	}
}

func (s *session) commit(ctx context.Context) error {
	if _, err := s.c.ExecContext(ctx, "COMMIT"); err != nil {
		s.rollback()
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

func (s *session) rollback() {
	rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.c.ExecContext(rctx, "ROLLBACK"); err != nil {
		s.discard()
	}
}

// inTx runs f in a transaction on the session's connection.
func (s *session) inTx(ctx context.Context, f func() error) (err error) {
	if err := s.begin(ctx); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			s.rollback()
		}
	}()
	err = f()
	done = true
	if err != nil {
		s.rollback()
		return err
	}
	return s.commit(ctx)
}

var errSkip = errors.New("already done by another migrator")
