package cache

import (
	"context"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// entryOverhead is the per-entry cost counted against [WithMaxBytes].
const entryOverhead = 96

// defaultMaxEntries bounds a Memory given no bound at all.
const defaultMaxEntries = 100_000

// Memory is an in-process [Store] bounded by entry count and/or bytes. Create
// one with [NewMemory]; the zero value is not usable. It is safe for
// concurrent use.
//
// Eviction follows S3-FIFO (Yang et al., SOSP 2023): new keys enter a small
// FIFO queue (10% of the capacity); a key read again before it leaves that
// queue moves to the main queue, others are evicted at once and remembered in
// a ghost queue of hashes so that their next insertion goes straight to the
// main queue. The main queue is a CLOCK-like FIFO that gives each entry up to
// three more rounds for its reads. Under skewed (Zipf) access this keeps a hit
// rate close to W-TinyLFU, while a read only bumps an atomic counter.
//
// The store is split into shards, each with its own lock and queues, for
// writes; reads take no lock at all: each shard's hash table is read with
// atomic loads, and an overwrite publishes a new, immutable entry in the old
// one's place. Expired entries are never returned and are removed when read
// or when eviction reaches them; no goroutine runs in the background. An entry larger than a shard's byte budget (max bytes divided by
// the number of shards) is not stored.
type Memory struct {
	shards   []shard
	mask     uint64
	seed     maphash.Seed
	clock    Clock
	evictCtr prometheus.Counter
}

var _ Store = (*Memory)(nil)

// NewMemory returns a memory store. Options: [WithMaxEntries] (default
// 100,000 when neither bound is given), [WithMaxBytes], [WithShards],
// [WithClock], [WithMetrics] (counts evictions) and [WithName].
func NewMemory(opts ...Option) (*Memory, error) {
	cfg, err := buildConfig(kMemory, config{}, opts)
	if err != nil {
		return nil, err
	}
	if cfg.maxEntries == 0 && cfg.maxBytes == 0 {
		cfg.maxEntries = defaultMaxEntries
	}
	n := cfg.shards
	if n == 0 {
		n = 4 * runtime.GOMAXPROCS(0)
		for n > 1 && cfg.maxEntries > 0 && cfg.maxEntries/n < 256 {
			n /= 2
		}
	}
	n = nextPow2(n)
	m := &Memory{shards: make([]shard, n), mask: uint64(n - 1), seed: maphash.MakeSeed(), clock: cfg.clock}
	m.evictCtr, err = counter(cfg.reg, cfg.name, "evictions_total", "Entries evicted from a memory store to stay within its bounds.")
	if err != nil {
		return nil, fmt.Errorf("cache: metrics: %w", err)
	}
	for i := range m.shards {
		s := &m.shards[i]
		buckets := 64
		if s.maxCount > 0 {
			buckets = s.maxCount
		}
		s.table.Store(newTable(buckets))
		s.ghost.m = make(map[uint64]int32)
		s.evictCtr = m.evictCtr
		if cfg.maxEntries > 0 {
			s.maxCount = cfg.maxEntries / n
			if i < cfg.maxEntries%n {
				s.maxCount++
			}
			if s.maxCount == 0 {
				s.maxCount = -1 // this shard holds nothing
			}
		}
		if cfg.maxBytes > 0 {
			s.maxBytes = cfg.maxBytes / int64(n)
			if s.maxBytes == 0 {
				s.maxBytes = -1
			}
		}
	}
	return m, nil
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

func (m *Memory) now() int64 { return nowNanos(m.clock) }

func (m *Memory) shardOf(key string) (*shard, uint64) {
	h := maphash.String(m.seed, key)
	return &m.shards[h&m.mask], h
}

func expireAt(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return now + int64(ttl)
}

// Get implements [Store]. The returned slice is shared: do not modify it.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	now := m.now()
	e := m.lookup(key)
	if e == nil {
		return nil, ErrNotFound
	}
	d := &e.entryData
	if d.isObj {
		return nil, ErrNotFound
	}
	if d.expire != 0 && now >= d.expire {
		m.removeExpired(key, e, now)
		return nil, ErrNotFound
	}
	e.touch()
	return d.val, nil
}

// Set implements [Store]. The store keeps value: do not modify it afterwards.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := m.now()
	m.set(key, entryData{val: value, expire: expireAt(now, ttl)}, now)
	return nil
}

// Delete implements [Store].
func (m *Memory) Delete(_ context.Context, keys ...string) error {
	for _, k := range keys {
		s, h := m.shardOf(k)
		s.mu.Lock()
		if e := s.lookupLocked(h, k); e != nil {
			s.unlink(e)
		}
		s.mu.Unlock()
	}
	return nil
}

// GetMany implements [Store].
func (m *Memory) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if v, err := m.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

// SetMany implements [Store].
func (m *Memory) SetMany(ctx context.Context, items []Item) error {
	for _, it := range items {
		if err := m.Set(ctx, it.Key, it.Value, it.TTL); err != nil {
			return err
		}
	}
	return nil
}

// Len returns the number of entries held, expired ones not yet removed
// included.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += s.count
		s.mu.Unlock()
	}
	return n
}

// Clear removes every entry.
func (m *Memory) Clear() {
	for i := range m.shards {
		m.shards[i].mu.Lock()
	}
	for i := range m.shards {
		s := &m.shards[i]
		s.seq.Add(1)
		s.table.Store(newTable(len(s.table.Load().buckets)))
		s.seq.Add(1)
		s.small, s.main = list{}, list{}
		s.count, s.bytes, s.smallCount, s.smallBytes = 0, 0, 0, 0
		s.mu.Unlock()
	}
}

// lookup returns the entry under key, or nil. It takes no lock unless it
// misses while the shard's table is being resized.
func (m *Memory) lookup(key string) *entry {
	h := maphash.String(m.seed, key)
	s := &m.shards[h&m.mask]
	seq := s.seq.Load()
	if e := s.table.Load().find(h, key); e != nil {
		return e
	}
	if seq&1 == 0 && s.seq.Load() == seq {
		return nil
	}
	// A resize relinked chains under us: look again under the lock.
	s.mu.Lock()
	e := s.table.Load().find(h, key)
	s.mu.Unlock()
	return e
}

// lookupLocked is lookup for a caller holding s.mu.
func (s *shard) lookupLocked(h uint64, key string) *entry {
	return s.table.Load().find(h, key)
}

// removeExpired removes e if it is still key's entry and expired.
func (m *Memory) removeExpired(key string, e *entry, now int64) {
	s, h := m.shardOf(key)
	s.mu.Lock()
	if cur := s.lookupLocked(h, key); cur == e && e.expired(now) {
		s.unlink(e)
	}
	s.mu.Unlock()
}

// objEntry is what a typed Cache reads from a Memory without decoding.
type objEntry struct {
	obj    any
	expire int64
	soft   int64
	neg    bool
}

// getObj returns the unencoded entry under key as of now.
func (m *Memory) getObj(key string, now int64) (objEntry, bool) {
	e := m.lookup(key)
	if e == nil {
		return objEntry{}, false
	}
	d := &e.entryData
	if !d.isObj {
		return objEntry{}, false
	}
	if d.expire != 0 && now >= d.expire {
		m.removeExpired(key, e, now)
		return objEntry{}, false
	}
	e.touch()
	return objEntry{obj: d.obj, expire: d.expire, soft: d.soft, neg: d.neg}, true
}

// setObj stores an unencoded entry.
func (m *Memory) setObj(key string, oe objEntry, now int64) {
	m.set(key, entryData{obj: oe.obj, isObj: true, expire: oe.expire, soft: oe.soft, neg: oe.neg}, now)
}

// set stores a copy of the fields of in under key.
func (m *Memory) set(key string, in entryData, now int64) {
	s, h := m.shardOf(key)
	size := int64(len(key) + len(in.val) + entryOverhead)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maxCount < 0 || (s.maxBytes != 0 && size > s.maxBytes) {
		if e := s.lookupLocked(h, key); e != nil {
			s.unlink(e)
		}
		return
	}
	if old := s.lookupLocked(h, key); old != nil {
		// Entries are immutable once published: a new one takes the old
		// one's place in its queue and its bucket.
		e := &entry{entryData: in, key: key, hash: h, size: size, inMain: old.inMain}
		e.freq.Store(old.freq.Load())
		s.bytes += size - old.size
		if !old.inMain {
			s.smallBytes += size - old.size
		}
		if old.inMain {
			s.main.replace(old, e)
		} else {
			s.small.replace(old, e)
		}
		s.replaceInTable(old, e)
		s.evict(now)
		return
	}
	e := &entry{entryData: in, key: key, hash: h, size: size}
	if s.ghost.contains(h) {
		e.inMain = true
		s.main.pushFront(e)
	} else {
		s.small.pushFront(e)
		s.smallCount++
		s.smallBytes += size
	}
	s.insert(e)
	s.count++
	s.bytes += size
	s.evict(now)
}

// entryData is the value part of an entry.
type entryData struct {
	val    []byte
	obj    any
	isObj  bool
	neg    bool
	expire int64 // Unix nanoseconds; 0 never
	soft   int64 // Unix nanoseconds after which a typed Cache treats it as stale
}

// entry is one key's value and its place in a shard's queues. entryData,
// key and hash never change once the entry is published in a table; readers
// use them without a lock. The other fields belong to the shard lock (freq is
// atomic).
type entry struct {
	entryData
	chain  atomic.Pointer[entry] // next in the hash bucket
	key    string
	hash   uint64
	inMain bool
	size   int64
	freq   atomic.Int32

	prev, next *entry
}

// maxFreq caps the read counter, as S3-FIFO does with two bits.
const maxFreq = 3

// touch records a read; it writes only while below the cap, so hot entries do
// not bounce their cache line between cores.
func (e *entry) touch() {
	if e.freq.Load() < maxFreq {
		e.freq.Add(1)
	}
}

func (d *entryData) expired(now int64) bool { return d.expire != 0 && now >= d.expire }

// shard is one independently locked part of a Memory.
type shard struct {
	// Read without the lock:
	table atomic.Pointer[table]
	seq   atomic.Uint32 // odd while the table is being resized
	_     [64]byte      // keep readers' line apart from writers'

	mu         sync.Mutex
	small      list
	main       list
	ghost      ghost
	count      int
	bytes      int64
	smallCount int
	smallBytes int64
	maxCount   int   // 0 unbounded; -1 holds nothing
	maxBytes   int64 // 0 unbounded; -1 holds nothing
	evictCtr   prometheus.Counter
	_          [64]byte // keep neighbouring shards' locks off one cache line
}

// unlink removes e from the shard entirely.
func (s *shard) unlink(e *entry) {
	if e.inMain {
		s.main.remove(e)
	} else {
		s.small.remove(e)
		s.smallCount--
		s.smallBytes -= e.size
	}
	s.remove(e)
	s.count--
	s.bytes -= e.size
}

func (s *shard) over() bool {
	return (s.maxCount > 0 && s.count > s.maxCount) || (s.maxBytes > 0 && s.bytes > s.maxBytes)
}

func (s *shard) smallOver() bool {
	return (s.maxCount > 0 && s.smallCount*10 > s.maxCount) || (s.maxBytes > 0 && s.smallBytes*10 > s.maxBytes)
}

// evict removes entries until the shard is within its bounds.
func (s *shard) evict(now int64) {
	for s.over() {
		switch {
		case s.small.tail != nil && (s.smallOver() || s.main.tail == nil):
			s.evictSmall(now)
		case s.main.tail != nil:
			s.evictMain(now)
		default:
			return // nothing left to evict
		}
	}
}

func (s *shard) evictSmall(now int64) {
	e := s.small.tail
	s.small.remove(e)
	s.smallCount--
	s.smallBytes -= e.size
	if e.freq.Load() > 0 && !e.expired(now) {
		e.freq.Store(0)
		e.inMain = true
		s.main.pushFront(e)
		return
	}
	if !e.expired(now) {
		s.ghost.add(e.hash, max(s.count, 16))
		inc(s.evictCtr)
	}
	s.remove(e)
	s.count--
	s.bytes -= e.size
}

func (s *shard) evictMain(now int64) {
	e := s.main.tail
	s.main.remove(e)
	if f := e.freq.Load(); f > 0 && !e.expired(now) {
		e.freq.Store(f - 1)
		s.main.pushFront(e)
		return
	}
	if !e.expired(now) {
		inc(s.evictCtr)
	}
	s.remove(e)
	s.count--
	s.bytes -= e.size
}

// list is an intrusive doubly linked FIFO: pushFront adds the newest, tail is
// the oldest.
type list struct{ head, tail *entry }

func (l *list) pushFront(e *entry) {
	e.prev, e.next = nil, l.head
	if l.head != nil {
		l.head.prev = e
	} else {
		l.tail = e
	}
	l.head = e
}

// replace puts e where old is.
func (l *list) replace(old, e *entry) {
	e.prev, e.next = old.prev, old.next
	if e.prev != nil {
		e.prev.next = e
	} else {
		l.head = e
	}
	if e.next != nil {
		e.next.prev = e
	} else {
		l.tail = e
	}
	old.prev, old.next = nil, nil
}

func (l *list) remove(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// ghost remembers the hashes of recently evicted keys in FIFO order.
type ghost struct {
	m    map[uint64]int32
	q    []uint64 // ring buffer
	head int
	n    int
}

func (g *ghost) contains(h uint64) bool { return g.m[h] > 0 }

func (g *ghost) add(h uint64, limit int) {
	for g.n > 0 && g.n >= limit {
		g.pop()
	}
	if g.n == len(g.q) {
		nq := make([]uint64, max(16, 2*len(g.q)))
		for i := 0; i < g.n; i++ {
			nq[i] = g.q[(g.head+i)%len(g.q)]
		}
		g.q, g.head = nq, 0
	}
	g.q[(g.head+g.n)%len(g.q)] = h
	g.n++
	g.m[h]++
}

func (g *ghost) pop() {
	h := g.q[g.head]
	g.head = (g.head + 1) % len(g.q)
	g.n--
	if c := g.m[h] - 1; c > 0 {
		g.m[h] = c
	} else {
		delete(g.m, h)
	}
}

// table is a shard's chained hash table. Readers walk it with atomic loads;
// writers change it under the shard lock. Entries are never reused, so a
// reader holding a removed entry still sees a consistent chain.
type table struct {
	buckets []atomic.Pointer[entry]
	mask    uint64
}

func newTable(n int) *table {
	n = nextPow2(max(n, 16))
	return &table{buckets: make([]atomic.Pointer[entry], n), mask: uint64(n - 1)}
}

func (t *table) bucket(h uint64) *atomic.Pointer[entry] { return &t.buckets[(h>>32)&t.mask] }

func (t *table) find(h uint64, key string) *entry {
	for e := t.bucket(h).Load(); e != nil; e = e.chain.Load() {
		if e.hash == h && e.key == key {
			return e
		}
	}
	return nil
}

// insert adds e, growing the table when it holds more entries than buckets.
// s.mu must be held.
func (s *shard) insert(e *entry) {
	t := s.table.Load()
	if s.count >= len(t.buckets) {
		t = s.grow(t)
	}
	b := t.bucket(e.hash)
	e.chain.Store(b.Load())
	b.Store(e)
}

// remove unlinks e from its bucket. s.mu must be held. e's own link is kept so
// that a reader standing on e can walk on.
func (s *shard) remove(e *entry) {
	link := s.table.Load().bucket(e.hash)
	for cur := link.Load(); cur != nil; cur = link.Load() {
		if cur == e {
			link.Store(e.chain.Load())
			return
		}
		link = &cur.chain
	}
}

// replaceInTable puts e in old's place in its bucket. s.mu must be held.
// old keeps its link, so a reader standing on it walks on.
func (s *shard) replaceInTable(old, e *entry) {
	e.chain.Store(old.chain.Load())
	link := s.table.Load().bucket(old.hash)
	for cur := link.Load(); cur != nil; cur = link.Load() {
		if cur == old {
			link.Store(e)
			return
		}
		link = &cur.chain
	}
}

// grow rehashes into a table twice the size. Relinking may divert readers
// walking the old table, so seq is odd meanwhile and such readers retry under
// the lock.
func (s *shard) grow(old *table) *table {
	s.seq.Add(1)
	t := newTable(2 * len(old.buckets))
	for i := range old.buckets {
		for e := old.buckets[i].Load(); e != nil; {
			next := e.chain.Load()
			b := t.bucket(e.hash)
			e.chain.Store(b.Load())
			b.Store(e)
			e = next
		}
	}
	s.table.Store(t)
	s.seq.Add(1)
	return t
}
