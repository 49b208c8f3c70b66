package cache

import (
	"context"
	"errors"
	"fmt"
)

// WriteThrough writes to the source of truth with write and then stores the
// value write returns under key, in that order:
//
//   - Source first: if write fails, the cache is untouched and the error is
//     returned, so the cache never holds a value the source does not.
//   - Cache second: a load of key already running in this process (which may
//     have read the source before write) is marked so that it does not store
//     its older result over this one.
//
// If the cache cannot be updated, WriteThrough deletes the key instead so
// that no stale copy is served; if even that fails it returns the value and
// an error wrapping [ErrNotUpdated]: the source is written but a stale copy
// may live until its TTL.
//
// Loads running in other processes at the same moment can still store a
// value read before the write; the TTL bounds how long. Use
// [Cache.WriteInvalidate] (with a short TTL) where that window matters more
// than the extra miss.
func (c *Cache[T]) WriteThrough(ctx context.Context, key string, write func(context.Context) (T, error)) (T, error) {
	v, err := write(ctx)
	if err != nil {
		return v, err
	}
	c.flights.markDirty(key)
	if serr := c.write(ctx, key, v, false); serr != nil {
		inc(c.storeErrors)
		if derr := c.store.Delete(ctx, key); derr != nil {
			return v, fmt.Errorf("%w: %w", ErrNotUpdated, errors.Join(serr, derr))
		}
	}
	return v, nil
}

// WriteInvalidate writes to the source of truth with write and then deletes
// key from the cache, in that order (if the cache were invalidated first, a
// concurrent load could read the old source value and cache it again before
// write lands). The next read loads the new value. It returns write's error
// untouched, or an error wrapping [ErrNotUpdated] when the source was written
// but the delete failed. Over a [Tiered] store the delete also evicts the
// other instances' local copies.
func (c *Cache[T]) WriteInvalidate(ctx context.Context, key string, write func(context.Context) error) error {
	if err := write(ctx); err != nil {
		return err
	}
	if err := c.Delete(ctx, key); err != nil {
		inc(c.storeErrors)
		return fmt.Errorf("%w: %w", ErrNotUpdated, err)
	}
	return nil
}
