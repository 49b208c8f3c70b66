package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// WithVerifyCache makes a [Verifier] remember up to n tokens it has
// verified, so that a token presented again skips the signature check until
// it expires. Asymmetric signatures cost tens of microseconds each (ES256
// about 60 µs here); a client sending many requests with one access token
// pays that once.
//
// A cached token is still rejected once it expires, once its key is removed
// from the key set, and when the revocation list ([WithRevocation]) names
// it: those checks run on every hit. Only tokens that verified are cached;
// the cache is keyed by the whole token, so a changed byte is a miss. n is
// an upper bound on memory: about 1 KiB per cached token.
//
// Claims returned from the cache are copies of the cached ones, sharing
// their Roles, Scopes, Audience and Extra: treat them as read-only (as you
// should any verified claims).
func WithVerifyCache(n int) Option {
	return Option{name: "WithVerifyCache", verifier: func(c *verifierConfig) error {
		if n < 1 {
			return fmt.Errorf("verify cache size %d below 1", n)
		}
		c.cacheSize = n
		return nil
	}}
}

// verifyCache is a two-generation map: when the young generation fills,
// it becomes the old one and the previous old one is dropped. Hits in the
// old generation move back to the young one, so tokens in use stay.
type verifyCache struct {
	mu       sync.RWMutex
	young    map[string]cachedToken
	old      map[string]cachedToken
	capacity int // per generation
}

type cachedToken struct {
	claims *Claims
	kid    string
	exp    time.Time
}

func newVerifyCache(n int) *verifyCache {
	half := max(1, n/2)
	return &verifyCache{young: make(map[string]cachedToken, half), capacity: half}
}

func (c *verifyCache) get(token string) (cachedToken, bool) {
	c.mu.RLock()
	e, ok := c.young[token]
	if !ok {
		e, ok = c.old[token]
		c.mu.RUnlock()
		if ok {
			c.put(token, e)
		}
		return e, ok
	}
	c.mu.RUnlock()
	return e, ok
}

func (c *verifyCache) put(token string, e cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.young) >= c.capacity {
		c.old, c.young = c.young, make(map[string]cachedToken, c.capacity)
	}
	c.young[token] = e
}

func (c *verifyCache) remove(token string) {
	c.mu.Lock()
	delete(c.young, token)
	delete(c.old, token)
	c.mu.Unlock()
}

// cached answers Verify from the cache, or reports a miss.
func (v *Verifier) cached(ctx context.Context, token string) (*Claims, bool, error) {
	e, ok := v.cache.get(token)
	if !ok {
		return nil, false, nil
	}
	if !v.cfg.now().Before(e.exp) {
		v.cache.remove(token)
		return nil, false, nil // a full verification reports the expiry
	}
	if _, err := v.keys.Key(ctx, e.kid); err != nil {
		v.cache.remove(token)
		return nil, false, nil // key gone: verify again, which fails
	}
	if v.cfg.revocation != nil {
		if err := v.checkRevoked(ctx, e.claims); err != nil {
			return nil, true, err
		}
	}
	c := *e.claims
	return &c, true, nil
}

// remember caches a verified token.
func (v *Verifier) remember(token string, c *Claims) {
	if c.ExpiresAt == nil {
		return
	}
	head, _, ok := strings.Cut(token, ".")
	if !ok {
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Kid == "" {
		return
	}
	cp := *c
	v.cache.put(token, cachedToken{claims: &cp, kid: h.Kid, exp: c.ExpiresAt.Time})
}
