package ratelimit

import "errors"

// Errors returned by this package. Compare with [errors.Is]; the returned
// errors wrap these sentinels with detail.
var (
	// ErrInvalidLimit is returned by constructors (and [Limit.Validate]) for
	// a limit with a zero or negative rate or period, or a burst below 1.
	ErrInvalidLimit = errors.New("ratelimit: invalid limit")

	// ErrInvalidOption is returned by constructors for an option with a bad
	// value, or an option that does not apply to that constructor.
	ErrInvalidOption = errors.New("ratelimit: invalid option")

	// ErrInvalidN is returned by AllowN for n < 1.
	ErrInvalidN = errors.New("ratelimit: n must be at least 1")

	// ErrExceedsLimit is returned by AllowN when n is larger than the
	// limit's burst (or window quota): such a request can never be allowed.
	ErrExceedsLimit = errors.New("ratelimit: n exceeds the limit")

	// ErrUnavailable is returned, wrapped around the cause, by the Redis
	// limiter when Redis could not decide (error or timeout). The Result
	// returned with it carries the failure policy's decision
	// ([WithFailOpen] or [WithFailClosed]).
	ErrUnavailable = errors.New("ratelimit: limiter backend unavailable")

	// ErrNoKey is returned (wrapped) by a [KeyFunc] that cannot find a key
	// in the request, such as [ByHeader] when the header is missing.
	ErrNoKey = errors.New("ratelimit: no rate limit key in request")
)
