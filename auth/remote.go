package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Defaults of [NewRemoteKeySet].
const (
	DefaultRefreshInterval    = 15 * time.Minute
	DefaultMinRefreshInterval = time.Minute
	DefaultMaxStale           = 24 * time.Hour
)

// maxRemoteBody bounds JWKS and discovery documents.
const maxRemoteBody = 1 << 20

type remoteConfig struct {
	client      *http.Client
	interval    time.Duration
	minInterval time.Duration
	maxStale    time.Duration
	now         func() time.Time
	log         *zap.Logger
	reg         prometheus.Registerer
}

// RemoteKeySet is a [KeySource] reading the JWK Set of an external issuer
// over HTTP, for verifying tokens you did not sign (an OpenID Connect
// provider, another service).
//
//   - Keys are fetched on first use and cached.
//   - [RemoteKeySet.Run] refreshes them in the background every
//     [WithRefreshInterval]; without Run, no goroutine is started.
//   - A token with an unknown "kid" triggers a refresh (a key was just
//     rotated in), at most once per [WithMinRefreshInterval], so forged
//     key IDs cannot make it hammer the issuer.
//   - If the issuer is down, the last good keys are used for up to
//     [WithMaxStale]; after that verification fails with
//     [ErrKeysUnavailable].
//
// Build one with [NewRemoteKeySet] or [DiscoverOIDC]; it is safe for
// concurrent use.
type RemoteKeySet struct {
	url    string
	issuer string
	cfg    remoteConfig
	state  atomic.Pointer[remoteState]
	okC    prometheus.Counter // nil without WithMetrics
	errC   prometheus.Counter

	mu          sync.Mutex // serialises fetches; guards the fields below
	lastAttempt time.Time
	lastErr     error
}

type remoteState struct {
	keys    map[string]*Key
	fetched time.Time // last successful fetch
}

// NewRemoteKeySet returns a key source for the JWK Set at jwksURL (http or
// https; use https outside tests). Nothing is fetched until the first key
// is needed or [RemoteKeySet.Refresh] or [RemoteKeySet.Run] is called.
// Options: [WithHTTPClient], [WithRefreshInterval],
// [WithMinRefreshInterval], [WithMaxStale], [WithClock], [WithLogger],
// [WithMetrics].
func NewRemoteKeySet(jwksURL string, opts ...Option) (*RemoteKeySet, error) {
	u, err := url.Parse(jwksURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: JWKS URL %q is not an http(s) URL", ErrConfig, jwksURL)
	}
	r := &RemoteKeySet{url: jwksURL, cfg: remoteConfig{
		client:      &http.Client{Timeout: 10 * time.Second},
		interval:    DefaultRefreshInterval,
		minInterval: DefaultMinRefreshInterval,
		maxStale:    DefaultMaxStale,
		now:         time.Now,
		log:         zap.NewNop(),
	}}
	if err := applyOptions("NewRemoteKeySet", &r.cfg, opts, func(o Option) func(*remoteConfig) error { return o.remote }); err != nil {
		return nil, err
	}
	if r.cfg.reg != nil {
		cv, err := registerCounterVec(r.cfg.reg, "keel_auth_jwks_refreshes_total", "JWKS fetches, by result.", "result")
		if err != nil {
			return nil, err
		}
		r.okC, r.errC = cv.WithLabelValues("ok"), cv.WithLabelValues("error")
	}
	return r, nil
}

// DiscoverOIDC reads issuer's OpenID Connect discovery document
// (issuer + "/.well-known/openid-configuration"), checks that it names the
// same issuer, and returns a [RemoteKeySet] for its "jwks_uri". Use
// [RemoteKeySet.Issuer] with [WithIssuer] when building the [Verifier].
// Options are those of [NewRemoteKeySet].
func DiscoverOIDC(ctx context.Context, issuer string, opts ...Option) (*RemoteKeySet, error) {
	probe, err := NewRemoteKeySet(strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", opts...)
	if err != nil {
		return nil, err
	}
	body, err := probe.get(ctx, probe.url)
	if err != nil {
		return nil, fmt.Errorf("auth: OIDC discovery: %w", err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("auth: OIDC discovery: %w", err)
	}
	if doc.Issuer != issuer {
		return nil, fmt.Errorf("auth: OIDC discovery: document names issuer %q, want %q", doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return nil, fmt.Errorf("auth: OIDC discovery: no jwks_uri")
	}
	r, err := NewRemoteKeySet(doc.JWKSURI, opts...)
	if err != nil {
		return nil, err
	}
	r.issuer = doc.Issuer
	return r, nil
}

// Issuer returns the issuer found by [DiscoverOIDC], or "".
func (r *RemoteKeySet) Issuer() string { return r.issuer }

// Key returns the key with ID kid, fetching the set if it has none yet or
// does not know kid (see the rate limit above).
func (r *RemoteKeySet) Key(ctx context.Context, kid string) (*Key, error) {
	if st := r.state.Load(); st != nil && r.fresh(st) {
		if k, ok := st.keys[kid]; ok {
			return k, nil
		}
	}
	st, err := r.refresh(ctx, false)
	if st == nil || !r.fresh(st) {
		if err == nil {
			err = errors.New("key set too old")
		}
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	if k, ok := st.keys[kid]; ok {
		return k, nil
	}
	return nil, errUnknownKey
}

// fresh reports whether st may still be used.
func (r *RemoteKeySet) fresh(st *remoteState) bool {
	return r.cfg.now().Sub(st.fetched) <= r.cfg.maxStale
}

// Refresh fetches the key set now, ignoring the rate limit. On failure the
// previous keys stay in use (within the stale limit).
func (r *RemoteKeySet) Refresh(ctx context.Context) error {
	_, err := r.refresh(ctx, true)
	return err
}

// refresh fetches the set unless one was attempted less than minInterval
// ago (and force is false). It returns the current state and the error of
// the last attempt.
func (r *RemoteKeySet) refresh(ctx context.Context, force bool) (*remoteState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.now()
	if !force && !r.lastAttempt.IsZero() && now.Sub(r.lastAttempt) < r.cfg.minInterval {
		return r.state.Load(), r.lastErr
	}
	r.lastAttempt = now
	keys, err := r.fetch(ctx)
	r.lastErr = err
	if c := r.errC; c != nil && err != nil {
		c.Inc()
	} else if c := r.okC; c != nil && err == nil {
		c.Inc()
	}
	if err != nil {
		r.cfg.log.Warn("auth: JWKS refresh failed", zap.String("url", r.url), zap.Error(err))
		return r.state.Load(), err
	}
	m := make(map[string]*Key, len(keys))
	for _, k := range keys {
		m[k.id] = k.Public() // never keep private material an issuer published by mistake
	}
	st := &remoteState{keys: m, fetched: now}
	r.state.Store(st)
	return st, nil
}

func (r *RemoteKeySet) fetch(ctx context.Context) ([]*Key, error) {
	body, err := r.get(ctx, r.url)
	if err != nil {
		return nil, err
	}
	keys, skipped, err := ParseJWKS(body)
	if err != nil {
		return nil, err
	}
	for _, e := range skipped {
		r.cfg.log.Debug("auth: JWKS key skipped", zap.String("url", r.url), zap.Error(e))
	}
	// A symmetric key in a published set would let anyone who reads the
	// set forge tokens: never use one.
	keys = slices.DeleteFunc(keys, func(k *Key) bool {
		if k.Symmetric() {
			r.cfg.log.Warn("auth: JWKS publishes a symmetric key; ignored", zap.String("url", r.url), zap.String("kid", k.id))
			return true
		}
		return false
	})
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: JWKS at %s has no usable key", ErrKeyFormat, r.url)
	}
	return keys, nil
}

func (r *RemoteKeySet) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.cfg.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxRemoteBody))
		return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRemoteBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxRemoteBody {
		return nil, fmt.Errorf("GET %s: body over %d bytes", u, maxRemoteBody)
	}
	return body, nil
}

// Run refreshes the key set every [WithRefreshInterval] (sooner, after
// [WithMinRefreshInterval], when a refresh fails) until ctx is done, then
// returns nil. It starts no other goroutine.
func (r *RemoteKeySet) Run(ctx context.Context) error {
	wait := time.Duration(0)
	if st := r.state.Load(); st != nil {
		wait = r.cfg.interval
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		wait = r.cfg.interval
		if err := r.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait = max(r.cfg.minInterval, time.Second/10)
		}
		t.Reset(wait)
	}
}
