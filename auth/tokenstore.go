package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// StoredToken is what a [TokenStore] keeps about one refresh token or
// session: never the token itself, only its hash.
type StoredToken struct {
	// Hash is the hex SHA-256 of the opaque token (see [HashToken]).
	Hash string
	// Family groups the tokens that descend from one login by rotation.
	// Reuse of any of them revokes the whole family.
	Family string
	// Subject is the user the token belongs to.
	Subject string
	// Data is opaque to the store; [RefreshTokens] and [Sessions] keep the
	// JSON of the [Claims] here.
	Data []byte
	// ExpiresAt is when the token stops being accepted.
	ExpiresAt time.Time
}

// TokenStore keeps hashed refresh tokens and sessions. Implementations
// must be safe for concurrent use and make Rotate atomic: of two concurrent
// rotations of one token, exactly one succeeds. [*MemoryTokenStore] and
// [*RedisTokenStore] ship here; auth/authtest.RunTokenStore checks any
// implementation against the contract below.
type TokenStore interface {
	// Save stores a new token; its family is new or already known.
	Save(ctx context.Context, t StoredToken) error
	// Lookup returns the token with that hash if it is usable at now.
	// Errors: [ErrTokenNotFound], [ErrTokenExpired], [ErrTokenRevoked]
	// (its family was revoked), [ErrTokenReused] (it was rotated away).
	Lookup(ctx context.Context, hash string, now time.Time) (StoredToken, error)
	// Rotate marks the token oldHash used (at now) and stores next in its
	// place, in the same family, with the same Subject (and the same Data
	// when next.Data is nil). It returns the stored next. A token already
	// used gives [ErrTokenReused] and revokes its family, unless it was
	// used less than grace before now (a client racing itself): then the
	// family is left alone. Otherwise the errors are those of Lookup.
	Rotate(ctx context.Context, oldHash string, next StoredToken, now time.Time, grace time.Duration) (StoredToken, error)
	// RevokeFamily revokes every token of a family.
	RevokeFamily(ctx context.Context, family string) error
	// RevokeSubject revokes every family of a subject (log out everywhere).
	RevokeSubject(ctx context.Context, subject string) error
}

// HashToken returns the hex SHA-256 of an opaque token, the form in which
// a [TokenStore] keeps it. Tokens are 256-bit random values, so a fast hash
// is enough: there is nothing to guess.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

type storeConfig struct {
	now      func() time.Time
	ttl      time.Duration
	cookie   string
	sameSite http.SameSite
	insecure bool
	grace    time.Duration
}

// applyClockOnly applies opts that may only be WithClock.
func applyClockOnly(ctor string, cfg *storeConfig, opts []Option) error {
	for _, o := range opts {
		if o.name != "WithClock" {
			return fmt.Errorf("%w: %s does not apply to %s", ErrConfig, o.name, ctor)
		}
	}
	return applyOptions(ctor, cfg, opts, func(o Option) func(*storeConfig) error { return o.store })
}
