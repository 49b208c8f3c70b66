// Package cache makes read-heavy code cheap without serving wrong data for
// long or stampeding the source of truth. It has byte-level stores (memory,
// Redis, tiered), a typed front with cache-aside loading, and write-through
// and write-behind helpers.
//
// # Stores
//
// A [Store] is a byte-level key/value store with per-key TTLs and batch
// forms. Three ship here, and package cachetest checks any implementation:
//
//   - [NewMemory]: in-process, bounded by entry count and/or bytes, with
//     S3-FIFO eviction (a hit rate close to W-TinyLFU under skewed access),
//     sharded, with no global lock on reads. Use it for one instance, for
//     tests, and as the local tier of [Tiered].
//   - [NewRedis]: on [redis.UniversalClient] (standalone, Sentinel,
//     Cluster), keys under a prefix, batches pipelined. Use it when
//     instances must share one cache.
//   - [NewTiered]: a Memory in front of Redis, with invalidation over Redis
//     pub/sub so that a write or delete on one instance evicts the local
//     copies on all others within milliseconds. Use it for hot keys read far
//     more often than written, when a Redis round trip per read is too much.
//
// # Cache-aside
//
// [New] puts a typed [Cache] over a store. [Cache.GetOrLoad] returns the
// cached value or calls a loader, caches its result and returns it. It is
// the strategy to reach for first: the source of truth stays the only
// writer's concern, and the cache fills itself with what is read.
//
//	users, err := cache.New[User](store, cache.WithTTL(time.Minute), cache.WithJitter(0.1))
//	u, err := users.GetOrLoad(ctx, "user:"+id, func(ctx context.Context) (User, error) {
//		return db.User(ctx, id) // return cache.ErrNotFound when there is none
//	})
//
// Concurrent misses of one key run the loader once per process
// (single-flight) and, with [WithDistributedSingleflight], once across
// processes. [WithNegativeTTL] caches [ErrNotFound] from the loader for a
// shorter time; [WithStaleWhileRevalidate] serves an expired entry at once
// while one background refresh runs ([Cache.Close] waits for refreshes).
// Loader errors are never cached. When the store fails — Redis down — the
// cache logs, counts, and answers from the loader: the caller sees no error,
// and for a cooldown ([WithStoreCooldown]) it does not wait on the store at
// all. Bound each store call with [WithStoreTimeout].
//
// Over a Memory store the Cache keeps values unencoded, so a hit costs no
// allocation; over other stores values are encoded with a [Codec] (JSON by
// default, [BinaryCodec] and [GobCodec] as options).
//
// # Write-through
//
// [Cache.WriteThrough] writes the source of truth, then stores the new value
// in the cache; [Cache.WriteInvalidate] writes the source, then deletes the
// key. Use them where a write must be visible to the next read at once. The
// order — source first, cache second — means the cache never holds a value
// the source does not have; a load already running in this process is kept
// from overwriting the newer value. Prefer WriteInvalidate when values are
// large or rarely read after a write.
//
// # Write-behind
//
// [NewWriteBehind] buffers writes, keeps the last per key, and flushes them
// in batches to a function on an interval or when a batch is full, retrying
// failures with backoff. Use it to absorb bursts of writes to the same keys
// (counters, last-seen times, view counts) where a short delay before the
// source sees them is acceptable. Its buffer is bounded: [WriteBehind.Put]
// waits for room, or returns [ErrBufferFull] with [WithFailFast].
// [WriteBehind.Run] flushes everything before it returns.
//
// # Observability and time
//
// [WithMetrics] registers counters (hits, misses, loads, load errors, stale
// serves, store errors, evictions, invalidations, write-behind flushes) with
// a [prometheus.Registerer]; [WithLogger] takes a *zap.Logger. [WithClock]
// injects the time so that TTLs, negative caching and stale-while-revalidate
// are tested without sleeping.
package cache
