package ratelimit

import (
	"hash/maphash"
	"strings"
	"sync"
)

// maxShards is the most shards a store splits its keys over.
const maxShards = 64

// store is a bounded map from key to per-key state *V, split into shards
// that each hold at most perShard keys. The zero V is the state of a fresh
// key.
//
// A decision runs with its shard locked: the critical section is one map
// lookup and a few integer operations, and eviction (under the same lock)
// can never remove state a request is using — a request never acts on a
// bucket that has just been thrown away, which would admit more than the
// limit.
//
// Eviction happens on insertion only, so there is no background
// goroutine. An insertion into a full shard samples a few keys (Go map
// iteration starts at a random place), evicts those that are idle (their
// state is the same as a fresh one's, so dropping them changes no
// decision), and otherwise the one the algorithm ranks as closest to idle —
// an approximation of least recently used that also evicts the key whose
// loss matters least. Once a shard is half full, every insertion also
// checks a couple of sampled keys and drops them if idle.
type store[V any] struct {
	seed     maphash.Seed
	mask     uint64
	perShard int
	// idle reports whether v is equivalent to fresh state at now, and a
	// rank: of non-idle states, the highest rank is evicted first.
	idle   func(v *V, now int64) (bool, int64)
	shards []shard[V]
}

type shard[V any] struct {
	mu sync.Mutex
	m  map[string]*V
	_  [48]byte // keep shards on separate cache lines
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

func newStore[V any](maxKeys int, idle func(*V, int64) (bool, int64)) *store[V] {
	n := shardCount(maxKeys)
	s := &store[V]{
		seed:     maphash.MakeSeed(),
		mask:     uint64(n - 1),
		perShard: maxKeys / n,
		idle:     idle,
		shards:   make([]shard[V], n),
	}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*V)
	}
	return s
}

// lock returns key's state, creating it if needed, with its shard locked:
// the caller must call sh.mu.Unlock when done with v.
func (s *store[V]) lock(key string, now int64) (sh *shard[V], v *V) {
	if s.mask == 0 {
		sh = &s.shards[0]
	} else {
		sh = &s.shards[maphash.String(s.seed, key)&s.mask]
	}
	sh.mu.Lock()
	if v = sh.m[key]; v == nil {
		s.makeRoom(sh, now)
		v = new(V)
		// Clone: the key may share memory with a larger string (a header
		// line, a composite key) that should not be retained.
		sh.m[strings.Clone(key)] = v
	}
	return sh, v
}

// makeRoom runs with sh locked, before an insertion.
func (s *store[V]) makeRoom(sh *shard[V], now int64) {
	n := len(sh.m)
	full := n >= s.perShard
	limit := sampleSize
	if !full {
		if n < s.perShard/2 {
			return
		}
		limit = 2
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
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
