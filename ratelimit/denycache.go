package ratelimit

import (
	"hash/maphash"
	"strings"
	"sync"
)

// denyCache remembers, per key, until when Redis said the key is denied,
// so that denials can be answered without a round trip. It is bounded: a
// full shard drops expired entries, else a sampled one (losing an entry
// only costs a round trip).
type denyCache struct {
	seed     maphash.Seed
	mask     uint64
	perShard int
	shards   []denyShard
}

type denial struct {
	until, reset int64 // local clock, UnixNano
	remaining    int32
}

type denyShard struct {
	mu sync.RWMutex
	m  map[string]denial
	_  [32]byte
}

func newDenyCache(maxKeys int) *denyCache {
	n := shardCount(maxKeys)
	c := &denyCache{seed: maphash.MakeSeed(), mask: uint64(n - 1), perShard: maxKeys / n, shards: make([]denyShard, n)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]denial)
	}
	return c
}

func (c *denyCache) shard(key string) *denyShard {
	return &c.shards[maphash.String(c.seed, key)&c.mask]
}

// get returns key's denial if it is still in force at now.
func (c *denyCache) get(key string, now int64) (denial, bool) {
	sh := c.shard(key)
	sh.mu.RLock()
	d, ok := sh.m[key]
	sh.mu.RUnlock()
	if !ok || now >= d.until {
		return denial{}, false
	}
	return d, true
}

func (c *denyCache) put(key string, d denial, now int64) {
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[key]; ok {
		if d.until > old.until {
			sh.m[key] = d
		}
		return
	}
	if len(sh.m) >= c.perShard {
		seen := 0
		var victim string
		for k, v := range sh.m {
			if seen == sampleSize {
				break
			}
			seen++
			if now >= v.until {
				delete(sh.m, k)
			} else {
				victim = k
			}
		}
		if len(sh.m) >= c.perShard {
			delete(sh.m, victim)
		}
	}
	sh.m[strings.Clone(key)] = d
}
