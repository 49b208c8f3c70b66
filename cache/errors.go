package cache

import "errors"

var (
	// ErrNotFound is returned by [Store.Get] for a missing or expired key, by
	// [Cache.Get] on a miss, and by [Cache.GetOrLoad] for a key whose loader
	// reported ErrNotFound (a negative entry). A loader returns it (or an error
	// wrapping it) to say "this key has no value"; see [WithNegativeTTL].
	ErrNotFound = errors.New("cache: not found")

	// ErrClosed is returned by [WriteBehind.Put] after [WriteBehind.Run] has
	// returned.
	ErrClosed = errors.New("cache: closed")

	// ErrBufferFull is returned by [WriteBehind.Put] when the buffer holds
	// its maximum number of pending keys and [WithFailFast] was given.
	// Without that option Put waits for room instead (back-pressure).
	ErrBufferFull = errors.New("cache: write-behind buffer full")

	// ErrFlushFailed is returned by [WriteBehind.Run] and [WriteBehind.Flush]
	// when writes could not be flushed; the error also wraps the flush
	// function's last error. The writes stay buffered.
	ErrFlushFailed = errors.New("cache: write-behind flush failed")

	// ErrLoaderPanic is returned to callers that waited on a loader that
	// panicked. The caller whose goroutine ran the loader sees the panic.
	ErrLoaderPanic = errors.New("cache: loader panicked")

	// ErrInvalidOption is wrapped by every error a constructor returns for
	// bad configuration.
	ErrInvalidOption = errors.New("cache: invalid option")

	// ErrNotUpdated is wrapped by the error [Cache.WriteThrough] and
	// [Cache.WriteInvalidate] return when the source of truth was written
	// but the cache could not be updated or invalidated.
	ErrNotUpdated = errors.New("cache: source written, cache not updated")

	// errCorrupt marks a stored value that is not a valid envelope.
	errCorrupt = errors.New("cache: corrupt entry")
)
