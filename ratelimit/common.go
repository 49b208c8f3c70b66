package ratelimit

import (
	"fmt"
)

// checkN validates n against the most events a key can ever have.
func checkN(n, max int) error {
	if n < 1 {
		return fmt.Errorf("%w: got %d", ErrInvalidN, n)
	}
	if n > max {
		return fmt.Errorf("%w: %d events, limit %d", ErrExceedsLimit, n, max)
	}
	return nil
}

// memoryBase holds what every memory limiter shares.
type memoryBase struct {
	limit Limit
	now   func() int64 // Unix ns
	m     *metrics
}

func newMemoryBase(limit Limit, ctor string, opts []Option) (memoryBase, *config, error) {
	if err := limit.Validate(); err != nil {
		return memoryBase{}, nil, err
	}
	cfg, err := newConfig(scopeMemory, ctor, opts)
	if err != nil {
		return memoryBase{}, nil, err
	}
	m, err := newMetrics(cfg.registerer, cfg.name)
	if err != nil {
		return memoryBase{}, nil, err
	}
	return memoryBase{limit: limit, now: cfg.nanos(), m: m}, cfg, nil
}

// Limit returns the limiter's limit.
func (b *memoryBase) Limit() Limit { return b.limit }
