package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gokeel/keel"
	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/cron"
	"github.com/gokeel/keel/db"
	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/ratelimit"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// service holds the wired parts of the API.
type service struct {
	cfg      config
	keys     *auth.KeySet
	verifier *auth.Verifier
	authAPI  *authAPI
	todoAPI  *todoAPI
	authRate ratelimit.Limiter
	apiRate  ratelimit.Limiter
}

// build connects to the database (and Redis, when configured), migrates,
// and builds every component, registering their lifecycles with app.
func build(ctx context.Context, cfg config, app *keel.App) (*service, error) {
	log, reg := app.Logger(), app.Registerer()

	// Database: open with retry, migrate, check on /readyz.
	driver, dsn, err := cfg.sqlTarget()
	if err != nil {
		return nil, err
	}
	dbx, err := db.Open(ctx, driver, dsn, db.WithLogger(log), db.WithMetrics(reg), db.WithSlowQueryLog(log, 200*time.Millisecond))
	if err != nil {
		return nil, err
	}
	app.OnStop(func(context.Context) error { return dbx.Close() })
	dialect, err := db.DialectOf(dbx)
	if err != nil {
		return nil, err
	}
	files, err := migrationsFor(dialect.String())
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, dbx, files, db.WithMigrateLogger(log)); err != nil {
		return nil, err
	}
	app.Check("db", db.HealthCheck(dbx))
	st, err := newStore(dbx)
	if err != nil {
		return nil, err
	}

	// Redis, when configured, shares limits, cache, tokens and cron locks
	// across instances; without it everything stays in this process.
	var rdb redis.UniversalClient
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		rdb = redis.NewClient(opts)
		app.OnStop(func(context.Context) error { return rdb.Close() })
		app.Check("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	}

	// Keys: a PEM key from JWT_SIGNING_KEY (shared by every instance), or a
	// fresh one per process for development.
	key, err := auth.KeyFromEnv("todo-1", cfg.SigningKeyEnv)
	if err != nil {
		log.Warn("no "+cfg.SigningKeyEnv+": using a generated key; tokens will not survive a restart", zap.Error(err))
		if key, err = auth.GenerateKey("dev-"+time.Now().UTC().Format("20060102T150405"), auth.ES256); err != nil {
			return nil, err
		}
	}
	verifyKey := key // an HS256 secret verifies itself; JWKS then publishes nothing
	if !key.Symmetric() {
		verifyKey = key.Public()
	}
	keys, err := auth.NewKeySet(verifyKey)
	if err != nil {
		return nil, err
	}
	signer, err := auth.NewSigner(key, auth.WithIssuer("todo"), auth.WithAudience("todo"), auth.WithTTL(cfg.AccessTTL))
	if err != nil {
		return nil, err
	}
	verifier, err := auth.NewVerifier(keys, auth.WithIssuer("todo"), auth.WithAudience("todo"), auth.WithVerifyCache(100_000))
	if err != nil {
		return nil, err
	}
	var tokens auth.TokenStore
	if rdb != nil {
		tokens, err = auth.NewRedisTokenStore(rdb, cfg.RedisPrefix+"refresh:")
	} else {
		tokens, err = auth.NewMemoryTokenStore()
	}
	if err != nil {
		return nil, err
	}
	refresh, err := auth.NewRefreshTokens(tokens, auth.WithTTL(cfg.RefreshTTL))
	if err != nil {
		return nil, err
	}
	dummy, err := auth.HashPassword("timing-equaliser-" + time.Now().String())
	if err != nil {
		return nil, err
	}

	// Policy: users create and list; admins may do anything to any todo
	// (RBAC); owners may read, change and delete their own (ABAC).
	rbac := auth.NewRBAC()
	for _, err := range []error{
		rbac.Grant("user", "todos:create", "todos:list"),
		rbac.Grant("admin", "todos:*"),
		rbac.Inherit("admin", "user"),
	} {
		if err != nil {
			return nil, err
		}
	}
	policy, err := auth.NewABAC(rbac, auth.Rule{
		Name: "owner", Effect: auth.Allow,
		Permissions: []string{"todos:read", "todos:update", "todos:delete"},
		When:        auth.IsOwner("owner"),
	})
	if err != nil {
		return nil, err
	}

	// Cache-aside for single todos: memory, or a local tier over Redis with
	// cross-instance invalidation.
	local, err := cache.NewMemory(cache.WithMaxEntries(100_000))
	if err != nil {
		return nil, err
	}
	var store cache.Store = local
	if rdb != nil {
		tiered, err := cache.NewTiered(local, rdb, cache.WithPrefix(cfg.RedisPrefix+"cache:"), cache.WithLogger(log))
		if err != nil {
			return nil, err
		}
		app.OnStop(func(context.Context) error { return tiered.Close() })
		store = tiered
	}
	todos, err := cache.New[todoRow](store, cache.WithTTL(5*time.Minute), cache.WithJitter(0.1),
		cache.WithNegativeTTL(5*time.Second), cache.WithStoreTimeout(100*time.Millisecond), cache.WithName("todos"), cache.WithMetrics(reg), cache.WithLogger(log))
	if err != nil {
		return nil, err
	}
	app.OnStop(func(context.Context) error { return todos.Close() })

	// Rate limits: per client IP on the auth endpoints, per user on the API.
	authLimit := ratelimit.PerMinute(cfg.AuthPerMinute)
	apiLimit := ratelimit.PerSecond(cfg.APIPerSecond, ratelimit.Burst(cfg.APIBurst))
	var authRate, apiRate ratelimit.Limiter
	if rdb != nil {
		if authRate, err = ratelimit.NewRedis(rdb, authLimit, ratelimit.WithPrefix(cfg.RedisPrefix+"rl:auth:"), ratelimit.WithName("auth"),
			ratelimit.WithMetrics(reg), ratelimit.WithLogger(log)); err != nil {
			return nil, err
		}
		if apiRate, err = ratelimit.NewRedis(rdb, apiLimit, ratelimit.WithPrefix(cfg.RedisPrefix+"rl:api:"), ratelimit.WithName("api"),
			ratelimit.WithMetrics(reg), ratelimit.WithLogger(log)); err != nil {
			return nil, err
		}
	} else {
		if authRate, err = ratelimit.NewMemory(authLimit, ratelimit.WithName("auth"), ratelimit.WithMetrics(reg)); err != nil {
			return nil, err
		}
		if apiRate, err = ratelimit.NewMemory(apiLimit, ratelimit.WithName("api"), ratelimit.WithMetrics(reg)); err != nil {
			return nil, err
		}
	}

	// Cron: purge soft-deleted todos, once per tick across all instances.
	cronOpts := []cron.Option{cron.WithLogger(log), cron.WithMetrics(reg)}
	if rdb != nil {
		locker, err := cron.NewRedisLocker(rdb, cron.WithKeyPrefix(cfg.RedisPrefix+"cron:"))
		if err != nil {
			return nil, err
		}
		cronOpts = append(cronOpts, cron.WithLocker(locker))
	}
	sched, err := cron.New(cronOpts...)
	if err != nil {
		return nil, err
	}
	if err := sched.Add("purge-deleted", cfg.PurgeSchedule, purgeJob(st, tokens, cfg.PurgeAfter, log), cron.WithTimeout(time.Minute)); err != nil {
		return nil, err
	}
	app.Go(sched.Run)

	return &service{
		cfg: cfg, keys: keys, verifier: verifier,
		authAPI:  &authAPI{store: st, signer: signer, refresh: refresh, adminEmails: cfg.AdminEmails, accessTTL: cfg.AccessTTL, dummyHash: dummy},
		todoAPI:  &todoAPI{store: st, cache: todos, policy: policy},
		authRate: authRate, apiRate: apiRate,
	}, nil
}

// routes builds the public router.
func (s *service) routes(app *keel.App) http.Handler {
	mws := app.Middleware()
	if len(s.cfg.TrustedProxies) > 0 {
		mws = append([]func(http.Handler) http.Handler{httpx.RealIP(s.cfg.TrustedProxies...)}, mws...)
	}
	mws = append(mws, httpx.SecureHeaders(), httpx.BodyLimit(64<<10))
	if len(s.cfg.CORSOrigins) > 0 {
		mws = append(mws, httpx.CORS(httpx.CORSOptions{AllowedOrigins: s.cfg.CORSOrigins}))
	}
	r := httpx.NewRouter(mws...)
	r.Handle("GET /.well-known/jwks.json", auth.JWKSHandler(s.keys))

	r.Group("/v1/auth", func(g *httpx.Router) {
		g.Use(ratelimit.Middleware(s.authRate, ratelimit.ByIP(), ratelimit.WithPolicyName("auth")), httpx.Timeout(10*time.Second))
		g.Handle("POST /register", unavailableAs503(s.authAPI.register))
		g.Handle("POST /login", unavailableAs503(s.authAPI.login))
		g.Handle("POST /refresh", unavailableAs503(s.authAPI.refreshTokens))
		g.Handle("POST /logout", unavailableAs503(s.authAPI.logout))
	})

	bySubject := ratelimit.ByFunc(func(r *http.Request) (string, error) {
		if c := auth.ClaimsFrom(r.Context()); c != nil {
			return c.Subject, nil // the limiter is the API's own: no prefix needed
		}
		return "", fmt.Errorf("no claims")
	})
	r.Group("/v1", func(g *httpx.Router) {
		g.Use(auth.Middleware(s.verifier), ratelimit.Middleware(s.apiRate, bySubject, ratelimit.WithPolicyName("api")))
		t := s.todoAPI
		// Writes and lists always reach the database: bound them. A cached
		// read answers in microseconds and its cache misses are bounded by
		// the store timeout, so it skips the per-request timer.
		timeout := httpx.Timeout(10 * time.Second)
		g.With(timeout, auth.Require(t.policy, "todos:create")).Handle("POST /todos", unavailableAs503(t.create))
		g.With(timeout, auth.Require(t.policy, "todos:list")).Handle("GET /todos", unavailableAs503(t.list))
		g.Handle("GET /todos/{id}", unavailableAs503(t.get))
		g.With(timeout).Handle("PATCH /todos/{id}", unavailableAs503(t.patch))
		g.With(timeout).Handle("DELETE /todos/{id}", unavailableAs503(t.delete))
	})
	return r
}

// purgeJob deletes todos soft-deleted more than after ago, and expired
// refresh tokens from a memory token store. (In Redis, token keys expire by
// themselves.)
func purgeJob(st *store, tokens auth.TokenStore, after time.Duration, log *zap.Logger) cron.Job {
	return func(ctx context.Context) error {
		n, err := st.purgeDeleted(ctx, st.now().Add(-after))
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("purged deleted todos", zap.Int64("count", n))
		}
		if sweeper, ok := tokens.(interface{ DeleteExpired(time.Time) int }); ok {
			if n := sweeper.DeleteExpired(time.Now()); n > 0 {
				log.Info("purged expired refresh tokens", zap.Int("count", n))
			}
		}
		return nil
	}
}
