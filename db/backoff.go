package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is a bounded exponential backoff with full jitter, used by Open to
// wait for the database and by InTx between retries. A zero field takes the
// default of whoever uses the Backoff.
type Backoff struct {
	// Initial is the upper bound of the first wait.
	Initial time.Duration
	// Max caps every wait.
	Max time.Duration
	// Attempts is the total number of tries, the first included.
	Attempts int
	// Sleep waits for d or until ctx is done, returning ctx.Err() then.
	// Tests inject a sleep that does not wait. Nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (b Backoff) withDefaults(def Backoff) Backoff {
	if b.Initial == 0 {
		b.Initial = def.Initial
	}
	if b.Max == 0 {
		b.Max = def.Max
	}
	if b.Attempts == 0 {
		b.Attempts = def.Attempts
	}
	if b.Sleep == nil {
		b.Sleep = def.Sleep
	}
	if b.Sleep == nil {
		b.Sleep = sleepCtx
	}
	return b
}

func (b Backoff) validate(what string) error {
	if b.Initial < 0 || b.Max < 0 || b.Attempts < 0 {
		return fmt.Errorf("%w: %s backoff: negative value", ErrInvalidOption, what)
	}
	if b.Max != 0 && b.Initial > b.Max {
		return fmt.Errorf("%w: %s backoff: Initial %v above Max %v", ErrInvalidOption, what, b.Initial, b.Max)
	}
	return nil
}

// delay returns the wait before retry number n (1 for the first retry):
// a random duration in [d/2, d] where d = min(Max, Initial*2^(n-1)).
func (b Backoff) delay(n int) time.Duration {
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
