package auth

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

var (
	_ TokenStore = (*MemoryTokenStore)(nil)
	_ TokenStore = (*RedisTokenStore)(nil)
)

// MemoryTokenStore is a [TokenStore] in process memory, for one instance
// and for tests. Expired entries are swept as new tokens are saved. Build
// one with [NewMemoryTokenStore]; it is safe for concurrent use.
type MemoryTokenStore struct {
	mu       sync.Mutex
	tokens   map[string]*memToken
	families map[string]*memFamily
	subjects map[string]map[string]struct{}
	now      func() time.Time
	saves    int
}

type memToken struct {
	StoredToken
	used   bool
	usedAt time.Time
}

type memFamily struct {
	subject string
	revoked bool
	expires time.Time
}

// NewMemoryTokenStore returns an empty store. Option: [WithClock] (the
// clock of the sweeper; expiry checks use the time passed to each method).
func NewMemoryTokenStore(opts ...Option) (*MemoryTokenStore, error) {
	cfg := storeConfig{now: time.Now}
	if err := applyClockOnly("NewMemoryTokenStore", &cfg, opts); err != nil {
		return nil, err
	}
	return &MemoryTokenStore{
		tokens:   make(map[string]*memToken),
		families: make(map[string]*memFamily),
		subjects: make(map[string]map[string]struct{}),
		now:      cfg.now,
	}, nil
}

// Save stores a new token.
func (s *MemoryTokenStore) Save(_ context.Context, t StoredToken) error {
	if t.Hash == "" || t.Family == "" {
		return fmt.Errorf("%w: token without hash or family", ErrConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves++
	if s.saves%256 == 0 {
		s.sweep(s.now())
	}
	f := s.families[t.Family]
	if f == nil {
		f = &memFamily{subject: t.Subject}
		s.families[t.Family] = f
	}
	s.put(t, f)
	return nil
}

func (s *MemoryTokenStore) put(t StoredToken, f *memFamily) {
	t.Data = bytes.Clone(t.Data)
	s.tokens[t.Hash] = &memToken{StoredToken: t}
	if t.ExpiresAt.After(f.expires) {
		f.expires = t.ExpiresAt
	}
	fams := s.subjects[t.Subject]
	if fams == nil {
		fams = make(map[string]struct{})
		s.subjects[t.Subject] = fams
	}
	fams[t.Family] = struct{}{}
}

// DeleteExpired removes the tokens and families expired at now and
// reports how many tokens it removed. Save also sweeps now and then, so
// calling it is optional: a periodic job (cron) keeps memory flat between
// logins. (Redis token stores need no sweeping: their keys expire.)
func (s *MemoryTokenStore) DeleteExpired(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sweep(now)
}

func (s *MemoryTokenStore) sweep(now time.Time) int {
	removed := 0
	for h, t := range s.tokens {
		if !t.ExpiresAt.After(now) {
			delete(s.tokens, h)
			removed++
		}
	}
	for id, f := range s.families {
		if !f.expires.After(now) {
			delete(s.families, id)
			if fams := s.subjects[f.subject]; fams != nil {
				delete(fams, id)
				if len(fams) == 0 {
					delete(s.subjects, f.subject)
				}
			}
		}
	}
	return removed
}

// check returns the usable token or the reason it is not.
func (s *MemoryTokenStore) check(hash string, now time.Time) (*memToken, *memFamily, error) {
	t := s.tokens[hash]
	if t == nil {
		return nil, nil, ErrTokenNotFound
	}
	f := s.families[t.Family]
	if f == nil || f.revoked {
		return t, f, ErrTokenRevoked
	}
	if t.used {
		return t, f, ErrTokenReused
	}
	if !t.ExpiresAt.After(now) {
		return t, f, ErrTokenExpired
	}
	return t, f, nil
}

// Lookup returns the token if it is usable at now.
func (s *MemoryTokenStore) Lookup(_ context.Context, hash string, now time.Time) (StoredToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, err := s.check(hash, now)
	if err != nil {
		return StoredToken{}, err
	}
	out := t.StoredToken
	out.Data = bytes.Clone(out.Data)
	return out, nil
}

// Rotate marks oldHash used and stores next in its family.
func (s *MemoryTokenStore) Rotate(_ context.Context, oldHash string, next StoredToken, now time.Time, grace time.Duration) (StoredToken, error) {
	if next.Hash == "" {
		return StoredToken{}, fmt.Errorf("%w: token without hash", ErrConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, f, err := s.check(oldHash, now)
	if err == ErrTokenReused && now.Sub(t.usedAt) >= grace {
		f.revoked = true
	}
	if err != nil {
		return StoredToken{}, err
	}
	t.used, t.usedAt = true, now
	next.Family, next.Subject = t.Family, t.Subject
	if next.Data == nil {
		next.Data = t.Data
	}
	s.put(next, f)
	out := next
	out.Data = bytes.Clone(next.Data)
	return out, nil
}

// RevokeFamily revokes every token of family.
func (s *MemoryTokenStore) RevokeFamily(_ context.Context, family string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.families[family]; f != nil {
		f.revoked = true
	}
	return nil
}

// RevokeSubject revokes every family of subject.
func (s *MemoryTokenStore) RevokeSubject(_ context.Context, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.subjects[subject] {
		if f := s.families[id]; f != nil {
			f.revoked = true
		}
	}
	delete(s.subjects, subject)
	return nil
}
