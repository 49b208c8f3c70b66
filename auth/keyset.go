package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// KeySource finds the verification key for a key ID. [*KeySet] and
// [*RemoteKeySet] implement it; a [Verifier] reads keys through it.
// Implementations return an error wrapping [ErrUnknownKey] when kid is not
// known, and must be safe for concurrent use.
type KeySource interface {
	Key(ctx context.Context, kid string) (*Key, error)
}

var (
	_ KeySource = (*KeySet)(nil)
	_ KeySource = (*RemoteKeySet)(nil)
)

// KeySet is a set of keys by key ID, for rotation without downtime: add the
// new key, let it be published (see [JWKSHandler]), switch the [Signer] to
// it, and remove the old key once the tokens it signed have expired.
//
// A KeySet is safe for concurrent use; lookups take no lock. The zero value
// is an empty set ready to use; [NewKeySet] fills one.
type KeySet struct {
	mu   sync.Mutex // serialises writers
	keys atomic.Pointer[map[string]*Key]
}

// NewKeySet returns a set holding keys. Duplicate key IDs are an error
// wrapping [ErrDuplicateKey].
func NewKeySet(keys ...*Key) (*KeySet, error) {
	s := &KeySet{}
	for _, k := range keys {
		if err := s.Add(k); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *KeySet) load() map[string]*Key {
	if m := s.keys.Load(); m != nil {
		return *m
	}
	return nil
}

// Add puts k in the set. A key ID already in the set is an error wrapping
// [ErrDuplicateKey]: remove the old key first.
func (s *KeySet) Add(k *Key) error {
	if k == nil {
		return fmt.Errorf("%w: nil key", ErrConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.load()
	if _, ok := old[k.id]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateKey, k.id)
	}
	m := make(map[string]*Key, len(old)+1)
	for id, v := range old {
		m[id] = v
	}
	m[k.id] = k
	s.keys.Store(&m)
	return nil
}

// Remove takes the key with ID kid out of the set; tokens it signed stop
// verifying at once ([ErrUnknownKey]). It reports whether the key was there.
func (s *KeySet) Remove(kid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.load()
	if _, ok := old[kid]; !ok {
		return false
	}
	m := make(map[string]*Key, len(old))
	for id, v := range old {
		if id != kid {
			m[id] = v
		}
	}
	s.keys.Store(&m)
	return true
}

// Key returns the key with ID kid, or an error wrapping [ErrUnknownKey].
func (s *KeySet) Key(_ context.Context, kid string) (*Key, error) {
	if k, ok := s.load()[kid]; ok {
		return k, nil
	}
	return nil, errUnknownKey
}

var errUnknownKey = fmt.Errorf("%w", ErrUnknownKey)

// Keys returns the keys in the set, sorted by key ID.
func (s *KeySet) Keys() []*Key {
	m := s.load()
	out := make([]*Key, 0, len(m))
	for _, k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *Key) int { return strings.Compare(a.id, b.id) })
	return out
}

// Len returns the number of keys in the set.
func (s *KeySet) Len() int { return len(s.load()) }
