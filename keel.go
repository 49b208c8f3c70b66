package keel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/observability"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// DefaultShutdownTimeout bounds the whole shutdown: drain, component stop
// and OnStop hooks.
const DefaultShutdownTimeout = 25 * time.Second

// App composes a service: HTTP servers, background components, health
// checks and shutdown hooks, run together by [App.Run]. Create one with
// [New], register everything, then call Run once. Registration methods are
// not safe for use concurrently with Run.
type App struct {
	name     string
	log      *zap.Logger
	reg      *prometheus.Registry
	health   *observability.Health
	tracer   trace.TracerProvider
	admin    string
	signals  []os.Signal
	timeout  time.Duration
	drain    time.Duration
	metrics  *observability.HTTPMetrics
	servers  []*httpx.Server
	comps    []func(context.Context) error
	stops    []func(context.Context) error
	adminSrv *httpx.Server
	started  chan struct{}
	ran      bool
}

// Option configures an [App].
type Option func(*App)

// WithLogger sets the app's logger; the default discards everything.
func WithLogger(l *zap.Logger) Option {
	return func(a *App) {
		if l != nil {
			a.log = l
		}
	}
}

// WithAdmin serves /metrics, /livez, /readyz and /debug/pprof/ on addr
// (":9090"), a port meant for operators and probes, not the public.
func WithAdmin(addr string) Option { return func(a *App) { a.admin = addr } }

// WithRegistry uses reg for the app's metrics instead of a new registry.
func WithRegistry(reg *prometheus.Registry) Option {
	return func(a *App) {
		if reg != nil {
			a.reg = reg
		}
	}
}

// WithTracerProvider sets the provider used by [App.Middleware]'s tracing.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(a *App) { a.tracer = tp }
}

// WithShutdownTimeout bounds the whole shutdown (default 25 s).
func WithShutdownTimeout(d time.Duration) Option {
	return func(a *App) {
		if d > 0 {
			a.timeout = d
		}
	}
}

// WithDrainDelay waits d after readiness flips to 503 before the HTTP
// servers stop accepting, so load balancers notice first (in Kubernetes, a
// few seconds). Default 0.
func WithDrainDelay(d time.Duration) Option { return func(a *App) { a.drain = d } }

// WithSignals sets the signals that stop the app (default SIGINT and
// SIGTERM). With none, only the Run context stops it.
func WithSignals(sig ...os.Signal) Option {
	return func(a *App) { a.signals = append([]os.Signal{}, sig...) }
}

// New returns an App named name (used in logs and metrics).
func New(name string, opts ...Option) *App {
	a := &App{
		name:    name,
		log:     zap.NewNop(),
		health:  observability.NewHealth(),
		signals: []os.Signal{os.Interrupt, syscall.SIGTERM},
		timeout: DefaultShutdownTimeout,
		started: make(chan struct{}),
	}
	for _, o := range opts {
		o(a)
	}
	if a.reg == nil {
		a.reg = prometheus.NewRegistry()
		_ = observability.RegisterRuntimeMetrics(a.reg)
	}
	a.log = a.log.With(zap.String("app", name))
	if a.admin != "" {
		a.adminSrv = httpx.NewServer(a.admin, a.adminHandler(), httpx.WithServerLogger(a.log),
			httpx.WithTimeouts(httpx.Timeouts{Write: 2 * time.Minute, Shutdown: 2 * time.Second}))
	}
	return a
}

// Started returns a channel closed once Run has opened every listener and
// started every server and component.
func (a *App) Started() <-chan struct{} { return a.started }

// Logger returns the app's logger.
func (a *App) Logger() *zap.Logger { return a.log }

// Registerer returns the registry that the admin server's /metrics serves;
// pass it to the WithMetrics options of keel's packages.
func (a *App) Registerer() prometheus.Registerer { return a.reg }

// Health returns the app's health registry, served as /livez and /readyz.
func (a *App) Health() *observability.Health { return a.health }

// Middleware returns keel's standard middleware stack, outermost first:
// request IDs, panic recovery, tracing, access log and HTTP metrics
// (registered with [App.Registerer] on first call).
func (a *App) Middleware() []func(http.Handler) http.Handler {
	if a.metrics == nil {
		m, err := observability.NewHTTPMetrics(a.reg)
		if err != nil {
			panic("keel: " + err.Error())
		}
		a.metrics = m
	}
	return []func(http.Handler) http.Handler{
		httpx.RequestID(),
		observability.Tracing(a.tracer),
		observability.AccessLog(a.log),
		httpx.RecoverWithOptions(httpx.RecoverOptions{Logger: a.log}),
		a.metrics.Middleware(),
	}
}

// Serve adds an HTTP server for h on addr, with httpx's safe timeouts. It
// starts with Run and drains on shutdown.
func (a *App) Serve(addr string, h http.Handler, opts ...httpx.ServerOption) {
	opts = append([]httpx.ServerOption{httpx.WithServerLogger(a.log), httpx.WithTimeouts(httpx.Timeouts{Shutdown: a.timeout})}, opts...)
	a.servers = append(a.servers, httpx.NewServer(addr, h, opts...))
}

// Go adds a component: fn runs while the app runs and must return soon
// after its context is cancelled. A non-nil error (or a panic) from fn stops
// the whole app, and Run returns it. Scheduler.Run, WriteBehind.Run and
// similar methods fit as they are: app.Go(sched.Run).
func (a *App) Go(fn func(ctx context.Context) error) { a.comps = append(a.comps, fn) }

// Check adds a readiness check, shown on /readyz: app.Check("db", db.PingContext).
func (a *App) Check(name string, fn func(ctx context.Context) error) {
	a.health.AddReadiness(name, fn)
}

// OnStop adds a hook run at shutdown after servers and components stopped.
// Hooks run in reverse order of registration (like defer), each with the
// remaining shutdown time in its context.
func (a *App) OnStop(fn func(ctx context.Context) error) { a.stops = append(a.stops, fn) }

// Addrs returns the listening addresses of the app's HTTP servers in the
// order they were added, then the admin server's; nil entries for servers
// that are not listening yet. It is meant for tests using ":0".
func (a *App) Addrs() []net.Addr {
	var out []net.Addr
	for _, s := range a.servers {
		out = append(out, s.Addr())
	}
	if a.adminSrv != nil {
		out = append(out, a.adminSrv.Addr())
	}
	return out
}

// Run starts every server and component and blocks until ctx is done, a
// stop signal arrives, or a component or server fails. It then shuts down
// in order, within the shutdown timeout:
//
//  1. readiness flips to 503 (and the drain delay, if any, passes);
//  2. HTTP servers stop accepting and drain in-flight requests;
//  3. components' contexts are cancelled and Run waits for them;
//  4. OnStop hooks run in reverse order;
//  5. the admin server stops.
//
// Run returns nil after a clean stop by signal or context, or the first
// error that stopped the app or happened during shutdown.
func (a *App) Run(ctx context.Context) error {
	if a.ran {
		return errors.New("keel: App.Run called twice")
	}
	a.ran = true
	// Listen first, so a taken port fails Run before anything starts.
	all := slices.Clone(a.servers)
	if a.adminSrv != nil {
		all = append(all, a.adminSrv)
	}
	for _, s := range all {
		addr, err := s.Listen()
		if err != nil {
			return fmt.Errorf("keel: %w", err)
		}
		a.log.Info("listening", zap.String("addr", addr.String()))
	}
	if len(a.signals) > 0 {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, a.signals...)
		defer stop()
	}

	fail := make(chan error, len(a.servers)+len(a.comps)+1)
	adminCtx, stopAdmin := context.WithCancel(context.WithoutCancel(ctx))
	serveCtx, stopServe := context.WithCancel(context.WithoutCancel(ctx))
	compCtx, stopComps := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAdmin()
	defer stopServe()
	defer stopComps()

	var adminWG, serveWG, compWG sync.WaitGroup
	adminErr := make(chan error, 1)
	if a.adminSrv != nil {
		adminWG.Add(1)
		go func() { defer adminWG.Done(); adminErr <- a.adminSrv.Run(adminCtx) }()
	}
	serveErrs := make(chan error, len(a.servers))
	for _, s := range a.servers {
		serveWG.Add(1)
		go func() {
			defer serveWG.Done()
			err := s.Run(serveCtx)
			if err != nil && serveCtx.Err() == nil {
				fail <- err // failed while serving: stop the app
			}
			serveErrs <- err
		}()
	}
	compErrs := make(chan error, len(a.comps))
	for _, fn := range a.comps {
		compWG.Add(1)
		go func() {
			defer compWG.Done()
			err := runComponent(compCtx, fn)
			if err != nil && compCtx.Err() == nil {
				fail <- err
			}
			compErrs <- err
		}()
	}
	a.log.Info("started", zap.Int("servers", len(a.servers)), zap.Int("components", len(a.comps)))
	close(a.started)

	var cause error
	select {
	case <-ctx.Done():
		a.log.Info("stopping", zap.String("reason", context.Cause(ctx).Error()))
	case cause = <-fail:
		a.log.Error("stopping after failure", zap.Error(cause))
	}
	deadline, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()

	// 1. Readiness first, so load balancers stop sending traffic.
	a.health.Drain()
	if a.drain > 0 {
		select {
		case <-time.After(a.drain):
		case <-deadline.Done():
		}
	}
	// 2. HTTP servers drain.
	stopServe()
	errs := []error{cause}
	if !waitFor(&serveWG, deadline) {
		errs = append(errs, errors.New("keel: HTTP servers did not drain before the shutdown deadline"))
	}
	// 3. Components.
	stopComps()
	if !waitFor(&compWG, deadline) {
		errs = append(errs, errors.New("keel: components did not stop before the shutdown deadline"))
	}
	// Collect what has been reported; the channels are buffered for every
	// sender, so a straggler past the deadline never blocks.
	for _, ch := range []chan error{serveErrs, compErrs} {
	drain:
		for {
			select {
			case err := <-ch:
				if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, cause) {
					errs = append(errs, err)
				}
			default:
				break drain
			}
		}
	}
	// 4. OnStop hooks, last registered first.
	for i := len(a.stops) - 1; i >= 0; i-- {
		if err := runHook(deadline, a.stops[i]); err != nil {
			errs = append(errs, err)
		}
	}
	// 5. Admin server last: /readyz keeps answering 503 while the rest drains.
	stopAdmin()
	adminWG.Wait()
	if a.adminSrv != nil {
		if err := <-adminErr; err != nil {
			errs = append(errs, err)
		}
	}
	err := errors.Join(errs...)
	if err != nil {
		a.log.Error("stopped with error", zap.Error(err))
	} else {
		a.log.Info("stopped")
	}
	return err
}

func (a *App) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", observability.MetricsHandler(a.reg))
	mux.Handle("GET /livez", a.health.LivezHandler())
	mux.Handle("GET /readyz", a.health.ReadyzHandler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// runComponent runs fn, turning a panic into an error.
func runComponent(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("keel: component panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return fn(ctx)
}

// runHook runs an OnStop hook, giving up on it at the deadline.
func runHook(ctx context.Context, fn func(context.Context) error) error {
	done := make(chan error, 1)
	go func() { done <- runComponent(ctx, fn) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("keel: OnStop hook: %w", ctx.Err())
	}
}

// waitFor waits for wg until ctx is done and reports whether wg finished.
func waitFor(wg *sync.WaitGroup, ctx context.Context) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
