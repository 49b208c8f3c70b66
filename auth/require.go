package auth

import (
	"net/http"
	"time"

	"github.com/gokeel/keel/httpx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

type requireConfig struct {
	resource func(r *http.Request) (Attributes, error)
	log      *zap.Logger
	now      func() time.Time
	realm    string
	reg      prometheus.Registerer
}

// Require lets a request through only if policy allows the permission perm
// to the claims in its context (see [Middleware]). Without claims it
// answers 401; when denied, 403 problem+json. Denials are logged at Info
// with the [Decision], for audit.
//
// Options: [WithResource] (attributes of the resource, for ABAC),
// [WithLogger], [WithClock], [WithRealm], [WithMetrics]. Bad options panic when Require is
// called: it runs at wiring time.
func Require(policy Policy, perm string, opts ...Option) func(http.Handler) http.Handler {
	if policy == nil {
		panic("auth: Require: nil Policy")
	}
	if err := CheckPermission(perm); err != nil {
		panic(err.Error())
	}
	cfg := requireConfig{log: zap.NewNop(), now: time.Now}
	if err := applyOptions("Require", &cfg, opts, func(o Option) func(*requireConfig) error { return o.require }); err != nil {
		panic(err.Error())
	}
	var allowedC, deniedC prometheus.Counter
	if cfg.reg != nil {
		cv, err := registerCounterVec(cfg.reg, "keel_auth_decisions_total", "Authorization decisions of Require, by result.", "result")
		if err != nil {
			panic(err.Error())
		}
		allowedC, deniedC = cv.WithLabelValues("allowed"), cv.WithLabelValues("denied")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := ClaimsFrom(r.Context())
			if c == nil {
				unauthorized(w, r, cfg.realm, "", "The request has no bearer token.")
				return
			}
			req := &AccessRequest{Subject: c, Permission: perm, Time: cfg.now(),
				Env: Attributes{"ip": httpx.ClientIP(r), "method": r.Method}}
			if cfg.resource != nil {
				res, err := cfg.resource(r)
				if err != nil {
					httpx.WriteError(w, r, err)
					return
				}
				req.Resource = res
			}
			d := policy.Decide(r.Context(), req)
			if deniedC != nil {
				if d.Allowed {
					allowedC.Inc()
				} else {
					deniedC.Inc()
				}
			}
			if !d.Allowed {
				cfg.log.Info("auth: access denied", zap.String("subject", c.Subject),
					zap.String("path", r.URL.Path), zap.Stringer("decision", d))
				httpx.WriteProblem(w, r, &httpx.Error{Status: http.StatusForbidden,
					Detail: "You do not have the permission " + perm + "."})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
