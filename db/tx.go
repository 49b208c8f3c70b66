package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// TxFunc is the body of a transaction. The context it gets carries the
// transaction, so InTx calls made with it join the transaction.
type TxFunc func(ctx context.Context, tx *sqlx.Tx) error

type txKey struct{ db *sqlx.DB }

// txState is the context InTx gives fn: its parent plus the transaction,
// in one allocation.
type txState struct {
	context.Context
	db         *sqlx.DB
	tx         *sqlx.Tx
	savepoints int
}

// Value implements context.Context.
func (s *txState) Value(key any) any {
	if k, ok := key.(txKey); ok && k.db == s.db {
		return s
	}
	return s.Context.Value(key)
}

// TxFrom returns the transaction on dbx that ctx carries, if InTx put one
// there. Repository code uses it to take part in a caller's transaction.
func TxFrom(ctx context.Context, dbx *sqlx.DB) (*sqlx.Tx, bool) {
	st, ok := ctx.Value(txKey{dbx}).(*txState)
	if !ok {
		return nil, false
	}
	return st.tx, true
}

// InTx runs fn in a transaction on dbx: it begins, calls fn, and commits if
// fn returns nil. It rolls back if fn returns an error or panics (the panic
// then continues). Options set the isolation level and read-only mode.
//
// When fn or the commit fails with a retryable error (see IsRetryable:
// serialization failures, deadlocks, a busy SQLite database), InTx rolls
// back and runs fn again in a new transaction, with backoff, up to
// DefaultTxBackoff().Attempts times in all (see RetryBackoff, NoRetry). fn
// must therefore be safe to run more than once: no side effects outside the
// transaction that cannot be repeated. After the last attempt the error
// wraps both ErrRetriesExhausted and the database's error.
//
// If ctx already carries a transaction on dbx (InTx called from inside
// another InTx's fn with its context), fn joins that transaction instead of
// taking a second connection from the pool, and retrying is left to the
// outer InTx; with Savepoint it runs in a savepoint. Isolation and ReadOnly
// do not apply to a nested call. The context given to fn must not outlive
// fn: work started with it after fn returns finds the transaction done.
func InTx(ctx context.Context, dbx *sqlx.DB, fn TxFunc, opts ...TxOption) error {
	cfg, err := newTxConfig(opts)
	if err != nil {
		return err
	}
	if st, ok := ctx.Value(txKey{dbx}).(*txState); ok {
		return nested(ctx, st, fn, &cfg)
	}
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, dbx, fn, &cfg)
		if err == nil || !IsRetryable(err) {
			return err
		}
		if attempt >= cfg.backoff.Attempts {
			if attempt == 1 {
				return err
			}
			return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, attempt, err)
		}
		if cfg.onRetry != nil {
			cfg.onRetry(attempt, err)
		}
		if serr := cfg.backoff.Sleep(ctx, cfg.backoff.delay(attempt)); serr != nil {
			return fmt.Errorf("db: transaction: %w (retrying after: %w)", serr, err)
		}
	}
}

func runTx(ctx context.Context, dbx *sqlx.DB, fn TxFunc, cfg *txConfig) (err error) {
	var o *sql.TxOptions // nil for the defaults: saves an allocation
	if cfg.opts != (sql.TxOptions{}) {
		o = &sql.TxOptions{Isolation: cfg.opts.Isolation, ReadOnly: cfg.opts.ReadOnly}
	}
	tx, err := dbx.BeginTxx(ctx, o)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	finished := false
	defer func() {
		if !finished { // fn panicked: undo, and let the panic go on
			_ = tx.Rollback()
		}
	}()
	err = fn(&txState{Context: ctx, db: dbx, tx: tx}, tx)
	finished = true
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("db: rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

func nested(ctx context.Context, st *txState, fn TxFunc, cfg *txConfig) error {
	if !cfg.savepoint {
		return fn(ctx, st.tx)
	}
	st.savepoints++
	name := "keel_sp_" + strconv.Itoa(st.savepoints)
	if _, err := st.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("db: savepoint: %w", err)
	}
	finished := false
	defer func() {
		if !finished {
			_, _ = st.tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO SAVEPOINT "+name)
		}
	}()
	err := fn(ctx, st.tx)
	finished = true
	if err != nil {
		if _, rerr := st.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("db: rollback to savepoint: %w", rerr))
		}
		return err
	}
	if _, err := st.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("db: release savepoint: %w", err)
	}
	return nil
}
