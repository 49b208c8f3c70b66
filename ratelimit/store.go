package ratelimit

import (
	"hash/maphash"
	"strings"
	"sync"
)

// maxShards is the most shards a store splits its keys over.
const maxShards = 64

// store is a bounded map from key to per-key state *V, split into shards
// that each hold at most perShard keys.
//
// A caller holds its shard's read lock while it uses the state, so the
// eviction (under the write lock) never removes state someone is using:
// a request never acts on a bucket that has just been thrown away, which
// would admit more than the limit.
//
// Eviction happens on insertion only, so there is no background
// goroutine. An insertion into a full shard samples a few keys (Go map
// iteration starts at a random place), evicts those that are idle (their
// state is the same as a fresh one's), and otherwise the one the algorithm
// ranks as closest to idle — an approximation of least recently used that
// also evicts the key whose loss matters least. Every insertion also
// checks a couple of sampled keys and drops them if idle, so idle keys
// leave a shard that keeps receiving new ones even before it is full.
type store[V any] struct {
	seed     maphash.Seed
	mask     uint64
	perShard int
	fresh    func() *V
	// idle reports whether v is equivalent to fresh state at now, and a
	// rank: of non-idle states, the highest rank is evicted first.
	idle   func(v *V, now int64) (bool, int64)
	shards []shard[V]
}

type shard[V any] struct {
	mu sync.RWMutex
	m  map[string]*V
	_  [32]byte // keep shards on separate cache lines
}

// minPerShard is the fewest keys a shard is made to hold, so that
// sampling has a choice of victims even for a small bound.
const minPerShard = 64

// shardCount returns how many shards a store of maxKeys uses: a power of
// two, at most maxShards, with at least minPerShard keys each when the
// bound allows.
func shardCount(maxKeys int) int {
	n := 1
	for n*2 <= maxShards && maxKeys/(n*2) >= minPerShard {
		n *= 2
	}
	return n
}

// sampleSize is how many keys an insertion into a full shard examines.
const sampleSize = 8

func newStore[V any](maxKeys int, fresh func() *V, idle func(*V, int64) (bool, int64)) *store[V] {
	n := shardCount(maxKeys)
	s := &store[V]{
		seed:     maphash.MakeSeed(),
		mask:     uint64(n - 1),
		perShard: maxKeys / n,
		fresh:    fresh,
		idle:     idle,
		shards:   make([]shard[V], n),
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*V)
	}
	return s
}

// acquire returns key's state, creating it if needed, with the shard's read
// lock held: the caller must call sh.mu.RUnlock when done with v.
func (s *store[V]) acquire(key string, now int64) (sh *shard[V], v *V) {
	sh = &s.shards[maphash.String(s.seed, key)&s.mask]
	for {
		sh.mu.RLock()
		if v = sh.m[key]; v != nil {
			return sh, v
		}
		sh.mu.RUnlock()
		sh.mu.Lock()
		if sh.m[key] == nil {
			s.makeRoom(sh, now)
			// Clone: the key may share memory with a larger string (a
			// header line, a composite key) that should not be retained.
			sh.m[strings.Clone(key)] = s.fresh()
		}
		sh.mu.Unlock()
	}
}

// makeRoom runs under sh.mu's write lock before an insertion.
func (s *store[V]) makeRoom(sh *shard[V], now int64) {
	full := len(sh.m) >= s.perShard
	limit := 2
	if full {
		limit = sampleSize
	}
	var (
		victim   string
		bestRank int64
		found    bool
		seen     int
	)
	for k, v := range sh.m {
		if seen == limit {
			break
		}
		seen++
		idle, rank := s.idle(v, now)
		if idle {
			delete(sh.m, k)
			full = false
			continue
		}
		if !found || rank > bestRank {
			victim, bestRank, found = k, rank, true
		}
	}
	if full && found {
		delete(sh.m, victim)
	}
}

// len returns the number of keys held.
func (s *store[V]) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
