package cron

import (
	"errors"
	"fmt"
)

// Sentinel errors. Compare with [errors.Is]; the errors returned carry more
// detail (see [ParseError]).
var (
	// ErrSyntax is wrapped by every error [Parse] returns for a malformed
	// expression.
	ErrSyntax = errors.New("cron: syntax error")
	// ErrNeverFires is returned by [Parse] for an expression that is well
	// formed but matches no instant at all, such as "0 0 30 2 *".
	ErrNeverFires = errors.New("cron: expression never fires")
	// ErrDuplicateJob is returned by [Scheduler.Add] when a job of that name
	// is already scheduled.
	ErrDuplicateJob = errors.New("cron: duplicate job name")
	// ErrInvalidJob is returned by [Scheduler.Add] for an empty name, a nil
	// job or schedule, or an invalid job option.
	ErrInvalidJob = errors.New("cron: invalid job")
	// ErrInvalidOption is returned by [New] and [NewRedisLocker] for a bad
	// option value.
	ErrInvalidOption = errors.New("cron: invalid option")
	// ErrRunning is returned by [Scheduler.Run] when the scheduler is already
	// running.
	ErrRunning = errors.New("cron: scheduler already running")
	// ErrShutdownTimeout is returned by [Scheduler.Run] when running jobs did
	// not return within the shutdown timeout.
	ErrShutdownTimeout = errors.New("cron: jobs still running after shutdown timeout")
	// ErrTimeout is the cause (see [context.Cause]) of a job context
	// cancelled by the job's [WithTimeout].
	ErrTimeout = errors.New("cron: job timed out")
	// ErrShutdown is the cause of a job context cancelled because
	// [Scheduler.Run] is stopping.
	ErrShutdown = errors.New("cron: scheduler shutting down")
	// ErrLockHeld is returned by [Locker.Acquire] when another holder has
	// the lease.
	ErrLockHeld = errors.New("cron: lock held by another instance")
	// ErrLockLost is returned by [Lease.Extend] and [Lease.Release] when the
	// lease expired or was taken over. It is also the cause of a job context
	// cancelled because its lease was lost.
	ErrLockLost = errors.New("cron: lock lost")
	// ErrPanic wraps the value of a job that panicked.
	ErrPanic = errors.New("cron: job panicked")
)

// ParseError describes a malformed cron expression. It wraps [ErrSyntax],
// or [ErrNeverFires] for an expression that matches nothing.
type ParseError struct {
	// Expr is the whole expression given to Parse.
	Expr string
	// Field names the offending field ("minute", "day-of-week", ...), or is
	// empty when the error concerns the expression as a whole.
	Field string
	// Index is the field's 0-based position among the expression's fields
	// (-1 when Field is empty).
	Index int
	// Offset is the byte offset of Token in Expr (-1 when unknown).
	Offset int
	// Token is the offending text.
	Token string
	// Reason says what is wrong, e.g. "value out of range 0-59".
	Reason string
	// Err is the sentinel (ErrSyntax or ErrNeverFires) or an underlying
	// error, such as a time zone that failed to load.
	Err error
}

// Error formats the error as `cron: minute field "61": value out of range 0-59`.
func (e *ParseError) Error() string {
	switch {
	case e.Field != "":
		return fmt.Sprintf("cron: %s field %q: %s", e.Field, e.Token, e.Reason)
	case e.Token != "" || e.Offset >= 0:
		return fmt.Sprintf("cron: %q: %s", e.Token, e.Reason)
	default:
		return "cron: " + e.Reason
	}
}

// Unwrap returns the sentinel or underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Is lets errors.Is match ErrSyntax for every parse error other than
// ErrNeverFires, including time-zone errors.
func (e *ParseError) Is(target error) bool {
	return target == ErrSyntax && e.Err != ErrNeverFires
}
