package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gokeel/keel/httpx"
)

// Sessions is cookie-based authentication for server-rendered apps, an
// alternative to bearer tokens. A session is an opaque random ID in a
// cookie (Secure, HttpOnly, SameSite=Lax by default), kept hashed in a
// [TokenStore] with the user's [Claims]. [Sessions.Middleware] puts those
// claims in the request context, so [ClaimsFrom], [Require] and
// [RequireScope] work the same as with [Middleware].
//
// Build one with [NewSessions]; it is safe for concurrent use.
type Sessions struct {
	store TokenStore
	cfg   storeConfig
}

// NewSessions returns a session manager over store. Options: [WithTTL]
// (default 24 hours), [WithCookie] (default "session"), [WithSameSite],
// [WithInsecureCookie], [WithClock].
func NewSessions(store TokenStore, opts ...Option) (*Sessions, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: NewSessions: nil store", ErrConfig)
	}
	cfg := storeConfig{now: time.Now, ttl: DefaultSessionTTL, cookie: "session", sameSite: http.SameSiteLaxMode}
	if err := applyOptions("NewSessions", &cfg, opts, func(o Option) func(*storeConfig) error { return o.store }); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if o.name == "WithReuseGrace" {
			return nil, fmt.Errorf("%w: WithReuseGrace does not apply to NewSessions", ErrConfig)
		}
	}
	if cfg.sameSite == http.SameSiteNoneMode && cfg.insecure {
		return nil, fmt.Errorf("%w: SameSite=None needs a Secure cookie", ErrConfig)
	}
	return &Sessions{store: store, cfg: cfg}, nil
}

// Create starts a session for c (which must have a Subject) and sets its
// cookie on w. Call it after the user has logged in; a new ID each login
// prevents session fixation.
func (s *Sessions) Create(ctx context.Context, w http.ResponseWriter, c Claims) error {
	if c.Subject == "" {
		return fmt.Errorf("%w: session without subject", ErrConfig)
	}
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("auth: encode claims: %w", err)
	}
	id, err := randomID(tokenBytes)
	if err != nil {
		return err
	}
	exp := s.cfg.now().Add(s.cfg.ttl)
	// Each session is its own family, so logout revokes exactly it.
	if err := s.store.Save(ctx, StoredToken{Hash: HashToken(id), Family: HashToken(id)[:32],
		Subject: c.Subject, Data: data, ExpiresAt: exp}); err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(id, exp))
	return nil
}

func (s *Sessions) cookie(value string, exp time.Time) *http.Cookie {
	ck := &http.Cookie{Name: s.cfg.cookie, Value: value, Path: "/", HttpOnly: true,
		Secure: !s.cfg.insecure, SameSite: s.cfg.sameSite}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = exp
	}
	return ck
}

// Get returns the claims of r's session. Errors: a [*TokenError] wrapping
// [ErrTokenInvalid] (no cookie, unknown session), [ErrTokenExpired] or
// [ErrTokenRevoked]; anything else is a store failure.
func (s *Sessions) Get(r *http.Request) (*Claims, error) {
	ck, err := r.Cookie(s.cfg.cookie)
	if err != nil || ck.Value == "" {
		return nil, tokenErr(ErrTokenInvalid, errors.New("no session cookie"))
	}
	st, err := s.store.Lookup(r.Context(), HashToken(ck.Value), s.cfg.now())
	if err != nil {
		return nil, storeErr(err)
	}
	c := new(Claims)
	if err := json.Unmarshal(st.Data, c); err != nil {
		return nil, fmt.Errorf("auth: decode stored claims: %w", err)
	}
	return c, nil
}

// Destroy ends r's session, if any, and clears its cookie (log out).
func (s *Sessions) Destroy(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, s.cookie("", time.Time{}))
	ck, err := r.Cookie(s.cfg.cookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	st, err := s.store.Lookup(r.Context(), HashToken(ck.Value), s.cfg.now())
	if err != nil {
		if isTokenState(err) {
			return nil
		}
		return err
	}
	return s.store.RevokeFamily(r.Context(), st.Family)
}

// DestroyAll ends every session of subject.
func (s *Sessions) DestroyAll(ctx context.Context, subject string) error {
	return s.store.RevokeSubject(ctx, subject)
}

// Middleware puts the claims of the request's session in its context (see
// [ClaimsFrom]). Requests without a valid session pass with no claims when
// anonymous is true, and get 401 otherwise; a store failure gives 503.
func (s *Sessions) Middleware(anonymous bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := s.Get(r)
			if err != nil {
				var te *TokenError
				if !errors.As(err, &te) {
					httpx.WriteProblem(w, r, &httpx.Error{Status: http.StatusServiceUnavailable,
						Detail: "The session could not be checked now.", Err: err})
					return
				}
				if anonymous {
					next.ServeHTTP(w, r)
					return
				}
				httpx.WriteProblem(w, r, &httpx.Error{Status: http.StatusUnauthorized,
					Detail: "No valid session.",
					Header: http.Header{"Www-Authenticate": {`Cookie realm="session"`}}})
				return
			}
			next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), c)))
		})
	}
}
