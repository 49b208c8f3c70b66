package httpx

import (
	"net/http"
	"strings"
	"sync"
)

// Router routes requests by Go's [http.ServeMux] patterns ("GET /todos/{id}")
// and runs middleware around them. Unmatched paths get a 404 and wrong
// methods a 405 (with Allow), both as problem+json.
//
// Before the router's own middleware runs, it sets r.Pattern to the matched
// pattern, so logging, metrics, tracing and rate limiting middleware can
// label requests by route without cardinality explosions.
//
// Create one with [NewRouter]. Register routes and middleware before serving;
// after that a Router is safe for concurrent use.
type Router struct {
	mux    *http.ServeMux
	prefix string
	mws    []func(http.Handler) http.Handler // this router's middleware
	root   *Router                           // the top router; itself at the top
	// set on the root only:
	handler http.Handler // mws around dispatch, built lazily
	once    sync.Once
}

// NewRouter returns an empty Router with the given middleware, which wraps
// every request (matched or not), outermost first.
func NewRouter(mws ...func(http.Handler) http.Handler) *Router {
	rt := &Router{mux: http.NewServeMux()}
	rt.root = rt
	rt.mws = append(rt.mws, mws...)
	return rt
}

// Use appends middleware. On the top router it wraps every request; on a
// [Router.Group] it wraps the routes of that group registered after the call.
// Use panics if called after the router has served a request.
func (rt *Router) Use(mws ...func(http.Handler) http.Handler) {
	if rt.root == rt && rt.handler != nil {
		panic("httpx: Router.Use after the router started serving")
	}
	rt.mws = append(rt.mws, mws...)
}

// Handle registers h for pattern, a ServeMux pattern such as "GET /todos/{id}",
// "POST /todos" or "/static/". In a [Router.Group] the group's prefix is put
// before the path. Handle panics, like ServeMux, on an invalid or conflicting
// pattern.
func (rt *Router) Handle(pattern string, h http.Handler) {
	if h == nil {
		panic("httpx: nil handler for " + pattern)
	}
	if rt.root != rt {
		for i := len(rt.mws) - 1; i >= 0; i-- {
			h = rt.mws[i](h)
		}
	}
	rt.mux.Handle(rt.withPrefix(pattern), matched{h})
}

// HandleFunc registers an error-returning handler function for pattern.
func (rt *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request) error) {
	rt.Handle(pattern, HandlerFunc(f))
}

// Group calls fn with a sub-router whose routes are registered under prefix
// ("/v1") and wrapped by the sub-router's own middleware (added with Use in
// fn) after the parent's.
func (rt *Router) Group(prefix string, fn func(*Router)) {
	fn(rt.sub(rt.prefix + strings.TrimSuffix(prefix, "/")))
}

// With returns a sub-router with no prefix whose routes are wrapped by mws,
// for middleware on single routes: r.With(auth).Handle("POST /todos", h).
func (rt *Router) With(mws ...func(http.Handler) http.Handler) *Router {
	sub := rt.sub(rt.prefix)
	sub.mws = append(sub.mws, mws...)
	return sub
}

// sub returns a sub-router on the same mux under prefix. It inherits the
// route middleware of a group; the top router's middleware already wraps
// every request, so it is not repeated.
func (rt *Router) sub(prefix string) *Router {
	sub := &Router{mux: rt.mux, prefix: prefix, root: rt.root}
	if rt.root != rt {
		sub.mws = append(sub.mws, rt.mws...)
	}
	return sub
}

// Mount serves every request under prefix ("/admin") with h, which sees the
// path with the prefix removed.
func (rt *Router) Mount(prefix string, h http.Handler) {
	prefix = strings.TrimSuffix(prefix, "/")
	strip := http.StripPrefix(rt.prefix+prefix, h)
	rt.Handle(prefix+"/", strip)
	rt.Handle(prefix, strip)
}

func (rt *Router) withPrefix(pattern string) string {
	if rt.prefix == "" {
		return pattern
	}
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return rt.prefix + pattern
	}
	return method + " " + rt.prefix + strings.TrimLeft(path, " ")
}

// ServeHTTP dispatches the request to the handler whose pattern matches.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	root := rt.root
	if len(root.mws) == 0 {
		root.dispatch(w, r)
		return
	}
	root.once.Do(root.build)
	// Resolve the route first so that middleware sees r.Pattern.
	_, r.Pattern = root.mux.Handler(r)
	root.handler.ServeHTTP(w, r)
}

func (rt *Router) build() {
	var h http.Handler = http.HandlerFunc(rt.dispatch)
	for i := len(rt.mws) - 1; i >= 0; i-- {
		h = rt.mws[i](h)
	}
	rt.handler = h
}

// dispatch runs the mux with a probe writer that turns the mux's own plain
// text 404 and 405 responses into problems.
func (rt *Router) dispatch(w http.ResponseWriter, r *http.Request) {
	p := probePool.Get().(*probe)
	p.ResponseWriter, p.r, p.state = w, r, probeIdle
	rt.mux.ServeHTTP(p, r)
	p.ResponseWriter, p.r = nil, nil
	probePool.Put(p)
}

// matched marks a registered handler: it takes the probe off the writer, so
// handlers see the server's own ResponseWriter.
type matched struct{ h http.Handler }

func (m matched) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p, ok := w.(*probe); ok {
		p.state = probeMatched
		w = p.ResponseWriter
	}
	m.h.ServeHTTP(w, r)
}

var probePool = sync.Pool{New: func() any { return new(probe) }}

const (
	probeIdle = iota
	probeMatched
	probeProblem
)

// probe is the writer the mux sees. Only the mux's own responses (404, 405,
// redirects) reach its methods; a matched handler gets the real writer.
type probe struct {
	http.ResponseWriter
	r     *http.Request
	state int
}

func (p *probe) WriteHeader(code int) {
	if p.state == probeIdle && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		p.state = probeProblem
		e := &Error{Status: code}
		if code == http.StatusMethodNotAllowed {
			allow := p.Header().Get("Allow")
			e.Detail = "Allowed methods: " + allow + "."
		}
		WriteProblem(p.ResponseWriter, p.r, e)
		return
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *probe) Write(b []byte) (int, error) {
	if p.state == probeProblem {
		return len(b), nil // the mux's plain-text body, replaced by the problem
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (p *probe) Unwrap() http.ResponseWriter { return p.ResponseWriter }
