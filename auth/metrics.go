package auth

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// WithMetrics registers Prometheus metrics on reg (default: no metrics):
//   - for [NewVerifier]: keel_auth_verifications_total{result}, where result
//     is "ok" or the kind of rejection ("expired", "unknown_key", ...);
//   - for [NewRemoteKeySet]: keel_auth_jwks_refreshes_total{result="ok|error"};
//   - for [Require]: keel_auth_decisions_total{result="allowed|denied"}.
//
// Registering twice on one registry (two Verifiers) shares the metrics.
func WithMetrics(reg prometheus.Registerer) Option {
	check := func() error {
		if reg == nil {
			return fmt.Errorf("nil registerer")
		}
		return nil
	}
	return Option{name: "WithMetrics",
		verifier: func(c *verifierConfig) error { c.reg = reg; return check() },
		remote:   func(c *remoteConfig) error { c.reg = reg; return check() },
		require:  func(c *requireConfig) error { c.reg = reg; return check() },
	}
}

// registerCounterVec registers a counter vector, reusing one already there.
func registerCounterVec(reg prometheus.Registerer, name, help string, label string) (*prometheus.CounterVec, error) {
	cv := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	if err := reg.Register(cv); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing, nil
			}
		}
		return nil, fmt.Errorf("auth: register metric %s: %w", name, err)
	}
	return cv, nil
}

// resultLabels names each rejection sentinel in metrics.
var resultLabels = map[error]string{
	ErrTokenMalformed:   "malformed",
	ErrTokenTooLarge:    "too_large",
	ErrAlgorithm:        "algorithm",
	ErrUnknownKey:       "unknown_key",
	ErrTokenInvalid:     "invalid",
	ErrTokenExpired:     "expired",
	ErrTokenNotYetValid: "not_yet_valid",
	ErrIssuer:           "issuer",
	ErrAudience:         "audience",
	ErrTokenRevoked:     "revoked",
}

// verifierMetrics holds one counter per result, resolved at construction.
type verifierMetrics struct {
	ok, other  prometheus.Counter
	bySentinel map[error]prometheus.Counter
}

func newVerifierMetrics(reg prometheus.Registerer) (*verifierMetrics, error) {
	cv, err := registerCounterVec(reg, "keel_auth_verifications_total",
		"Access tokens verified, by result.", "result")
	if err != nil {
		return nil, err
	}
	m := &verifierMetrics{ok: cv.WithLabelValues("ok"), other: cv.WithLabelValues("error"),
		bySentinel: make(map[error]prometheus.Counter, len(resultLabels))}
	for s, l := range resultLabels {
		m.bySentinel[s] = cv.WithLabelValues(l)
	}
	return m, nil
}

func (m *verifierMetrics) observe(err error) {
	if m == nil {
		return
	}
	if err == nil {
		m.ok.Inc()
		return
	}
	var te *TokenError
	if errors.As(err, &te) {
		if c, ok := m.bySentinel[te.Sentinel]; ok {
			c.Inc()
			return
		}
	}
	m.other.Inc()
}
