package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Defaults of [NewRefreshTokens] and [NewSessions].
const (
	DefaultRefreshTTL = 30 * 24 * time.Hour
	DefaultSessionTTL = 24 * time.Hour
)

// tokenBytes is the entropy of refresh tokens and session IDs.
const tokenBytes = 32

// RefreshTokens issues and rotates opaque refresh tokens kept hashed in a
// [TokenStore]. Each use of a refresh token ([RefreshTokens.Rotate])
// replaces it with a new one of the same family; presenting a token a
// second time ("reuse", a sign it was stolen) revokes the whole family, so
// both the thief and the user must log in again.
//
// The claims given to [RefreshTokens.Issue] are kept with the family and
// returned by Rotate, to sign the next access token with.
//
// Build one with [NewRefreshTokens]; it is safe for concurrent use.
type RefreshTokens struct {
	store TokenStore
	cfg   storeConfig
}

// NewRefreshTokens returns a manager over store. Options: [WithTTL]
// (default 30 days), [WithReuseGrace] (default 0), [WithClock].
func NewRefreshTokens(store TokenStore, opts ...Option) (*RefreshTokens, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: NewRefreshTokens: nil store", ErrConfig)
	}
	cfg := storeConfig{now: time.Now, ttl: DefaultRefreshTTL}
	for _, o := range opts {
		if o.name != "WithClock" && o.name != "WithTTL" && o.name != "WithReuseGrace" {
			return nil, fmt.Errorf("%w: %s does not apply to NewRefreshTokens", ErrConfig, o.name)
		}
	}
	if err := applyOptions("NewRefreshTokens", &cfg, opts, func(o Option) func(*storeConfig) error { return o.store }); err != nil {
		return nil, err
	}
	return &RefreshTokens{store: store, cfg: cfg}, nil
}

// Issue starts a new family for c.Subject and returns its first refresh
// token. c must have a Subject.
func (m *RefreshTokens) Issue(ctx context.Context, c Claims) (string, error) {
	if c.Subject == "" {
		return "", fmt.Errorf("%w: refresh token without subject", ErrConfig)
	}
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("auth: encode claims: %w", err)
	}
	tok, err := randomID(tokenBytes)
	if err != nil {
		return "", err
	}
	fam, err := randomID(16)
	if err != nil {
		return "", err
	}
	st := StoredToken{Hash: HashToken(tok), Family: fam, Subject: c.Subject, Data: data,
		ExpiresAt: m.cfg.now().Add(m.cfg.ttl)}
	if err := m.store.Save(ctx, st); err != nil {
		return "", err
	}
	return tok, nil
}

// Rotate spends token and returns its successor with the claims of the
// family. Errors: a [*TokenError] wrapping [ErrTokenInvalid] (unknown
// token), [ErrTokenExpired], [ErrTokenRevoked] or [ErrTokenReused] (the
// family is now revoked); anything else is a store failure.
func (m *RefreshTokens) Rotate(ctx context.Context, token string) (string, *Claims, error) {
	next, err := randomID(tokenBytes)
	if err != nil {
		return "", nil, err
	}
	now := m.cfg.now()
	st, err := m.store.Rotate(ctx, HashToken(token),
		StoredToken{Hash: HashToken(next), ExpiresAt: now.Add(m.cfg.ttl)}, now, m.cfg.grace)
	if err != nil {
		return "", nil, storeErr(err)
	}
	c := new(Claims)
	if err := json.Unmarshal(st.Data, c); err != nil {
		return "", nil, fmt.Errorf("auth: decode stored claims: %w", err)
	}
	return next, c, nil
}

// Revoke revokes the family of token (log out of this device). An unknown
// or already revoked token is not an error.
func (m *RefreshTokens) Revoke(ctx context.Context, token string) error {
	st, err := m.store.Lookup(ctx, HashToken(token), m.cfg.now())
	if err != nil {
		if isTokenState(err) {
			return nil
		}
		return err
	}
	return m.store.RevokeFamily(ctx, st.Family)
}

// RevokeSubject revokes every refresh token of subject (log out
// everywhere).
func (m *RefreshTokens) RevokeSubject(ctx context.Context, subject string) error {
	return m.store.RevokeSubject(ctx, subject)
}

func isTokenState(err error) bool {
	return errors.Is(err, ErrTokenNotFound) || errors.Is(err, ErrTokenExpired) ||
		errors.Is(err, ErrTokenRevoked) || errors.Is(err, ErrTokenReused)
}

// storeErr turns a store's verdict into a [*TokenError].
func storeErr(err error) error {
	switch {
	case errors.Is(err, ErrTokenNotFound):
		return tokenErr(ErrTokenInvalid, err)
	case errors.Is(err, ErrTokenExpired):
		return tokenErr(ErrTokenExpired, nil)
	case errors.Is(err, ErrTokenRevoked):
		return tokenErr(ErrTokenRevoked, nil)
	case errors.Is(err, ErrTokenReused):
		return tokenErr(ErrTokenReused, nil)
	}
	return err
}
