package db

import (
	"database/sql"
	"fmt"
	"time"
)

// TxOption configures InTx.
type TxOption func(*txConfig) error

type txConfig struct {
	opts      sql.TxOptions
	backoff   Backoff
	savepoint bool
	onRetry   func(attempt int, err error)
}

// DefaultTxBackoff is how InTx retries: up to 5 attempts, waiting 10ms
// doubling to at most 200ms (with jitter) between them.
// It is a function, not a variable, so that no caller can change every
// other caller's default.
func DefaultTxBackoff() Backoff {
	return Backoff{Initial: 10 * time.Millisecond, Max: 200 * time.Millisecond, Attempts: 5}
}

func newTxConfig(opts []TxOption) (txConfig, error) {
	def := txConfig{backoff: DefaultTxBackoff().withDefaults(Backoff{})}
	if len(opts) == 0 {
		return def, nil // no heap allocation on the common path
	}
	c := new(txConfig)
	*c = def
	for _, o := range opts {
		if err := o(c); err != nil {
			return *c, err
		}
	}
	return *c, nil
}

// Isolation sets the transaction's isolation level (default: the
// database's, usually read committed on PostgreSQL and repeatable read on
// MySQL). SQLite transactions are always serializable.
func Isolation(level sql.IsolationLevel) TxOption {
	return func(c *txConfig) error {
		if level < sql.LevelDefault || level > sql.LevelLinearizable {
			return fmt.Errorf("%w: Isolation(%d)", ErrInvalidOption, level)
		}
		c.opts.Isolation = level
		return nil
	}
}

// ReadOnly starts a read-only transaction.
func ReadOnly() TxOption {
	return func(c *txConfig) error {
		c.opts.ReadOnly = true
		return nil
	}
}

// RetryBackoff sets how InTx retries after a retryable error (see
// IsRetryable). Zero fields keep DefaultTxBackoff's values.
func RetryBackoff(b Backoff) TxOption {
	return func(c *txConfig) error {
		if err := b.validate("transaction"); err != nil {
			return err
		}
		c.backoff = b.withDefaults(DefaultTxBackoff())
		return nil
	}
}

// NoRetry runs the function once: retryable errors are returned as they
// are.
func NoRetry() TxOption {
	return func(c *txConfig) error {
		c.backoff.Attempts = 1
		return nil
	}
}

// Savepoint makes a nested InTx (one whose context already carries a
// transaction on the same database) run inside a savepoint: its error rolls
// back only its own work and leaves the outer transaction usable. Without
// it a nested InTx simply joins the outer transaction.
func Savepoint() TxOption {
	return func(c *txConfig) error {
		c.savepoint = true
		return nil
	}
}

// OnRetry calls f before each retry with the number of the attempt that
// failed and its error, e.g. to log or count retries.
func OnRetry(f func(attempt int, err error)) TxOption {
	return func(c *txConfig) error {
		if f == nil {
			return fmt.Errorf("%w: OnRetry(nil)", ErrInvalidOption)
		}
		c.onRetry = f
		return nil
	}
}
