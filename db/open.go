package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"
)

// Open opens a pool on the named database/sql driver (registered by the
// caller's import, e.g. _ "github.com/jackc/pgx/v5/stdlib" for "pgx"),
// applies the pool defaults (see the Default constants and options), and
// waits for the database to answer a ping, retrying with bounded
// exponential backoff ([DefaultConnectBackoff]) so a service can start before
// its database. Bad credentials and unknown databases fail at once. Open
// returns when ctx is done.
//
// A failure wraps ErrUnavailable and names the driver and host, never the
// password. The returned *sqlx.DB is safe for concurrent use; close it with
// Close.
func Open(ctx context.Context, driverName, dsn string, opts ...Option) (*sqlx.DB, error) {
	cfg := defaultOpenConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	d, _ := DialectFor(driverName)
	t := describeDSN(d, dsn)
	sqldb, err := openPool(driverName, dsn, &cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open %s database on %s: %s", driverName, t.where(), t.scrub(err.Error()))
	}
	sqldb.SetMaxOpenConns(cfg.maxOpen)
	sqldb.SetMaxIdleConns(min(cfg.maxIdle, cfg.maxOpen))
	sqldb.SetConnMaxLifetime(cfg.maxLifetime)
	sqldb.SetConnMaxIdleTime(cfg.maxIdleTime)

	if err := waitReady(ctx, sqldb, t, driverName, &cfg); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	dbx := sqlx.NewDb(sqldb, driverName)
	if cfg.reg != nil {
		if err := cfg.reg.Register(NewStatsCollector(sqldb, cfg.name)); err != nil {
			_ = sqldb.Close()
			return nil, fmt.Errorf("db: register pool metrics: %w", err)
		}
	}
	return dbx, nil
}

func openPool(driverName, dsn string, cfg *openConfig) (*sql.DB, error) {
	if cfg.slowLog == nil {
		return sql.Open(driverName, dsn)
	}
	c, err := newSlowConnector(driverName, dsn, cfg.slowLog.With(zap.String("db", cfg.name)), cfg.slowThreshold)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func waitReady(ctx context.Context, sqldb *sql.DB, t target, driverName string, cfg *openConfig) error {
	b := cfg.backoff
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, cfg.pingTimeout)
		err := sqldb.PingContext(pctx)
		cancel()
		if err == nil {
			if attempt > 1 {
				cfg.log.Info("db: database is up", zap.String("db", cfg.name), zap.String("host", t.where()), zap.Int("attempts", attempt))
			}
			return nil
		}
		msg := t.scrub(err.Error())
		// Keep the driver's error for errors.Is/As unless its text carries
		// the password.
		var cause error = err
		if msg != err.Error() {
			cause = errors.New(msg)
		}
		fail := func(why string, ctxErr error) error {
			if ctxErr != nil {
				return fmt.Errorf("%w: %s on %s: %s: %w: %w", ErrUnavailable, driverName, t.where(), why, ctxErr, cause)
			}
			return fmt.Errorf("%w: %s on %s: %s: %w", ErrUnavailable, driverName, t.where(), why, cause)
		}
		switch {
		case ctx.Err() != nil:
			return fail(fmt.Sprintf("gave up after %d attempts", attempt), ctx.Err())
		case isPermanent(err):
			return fail("permanent error", nil)
		case attempt >= b.Attempts:
			return fail(fmt.Sprintf("gave up after %d attempts", attempt), nil)
		}
		wait := b.delay(attempt)
		cfg.log.Info("db: database not ready, retrying", zap.String("db", cfg.name), zap.String("host", t.where()),
			zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.String("error", msg))
		if err := b.Sleep(ctx, wait); err != nil {
			return fail(fmt.Sprintf("gave up after %d attempts", attempt), err)
		}
	}
}
