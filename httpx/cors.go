package httpx

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CORSOptions configures [CORS]. A zero CORSOptions allows no origin.
type CORSOptions struct {
	// AllowedOrigins lists origins ("https://app.example.com"), patterns
	// with one leading wildcard label ("https://*.example.com"), or "*" for
	// any origin. "*" cannot be combined with AllowCredentials.
	AllowedOrigins []string
	// AllowedMethods for preflight; default GET, HEAD, POST, PUT, PATCH, DELETE.
	AllowedMethods []string
	// AllowedHeaders a preflight may ask for; default Accept,
	// Authorization, Content-Type, X-Request-ID.
	AllowedHeaders []string
	// ExposedHeaders the browser may read from responses.
	ExposedHeaders []string
	// AllowCredentials lets browsers send cookies and Authorization.
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight; default 10 minutes.
	MaxAge time.Duration
}

// CORS returns middleware implementing cross-origin resource sharing.
//
// A preflight (OPTIONS with Access-Control-Request-Method) from an allowed
// origin is answered 204 with the allowed methods and headers; from any other
// origin, or asking for a method or header that is not allowed, it gets a 403
// problem. A cross-origin request from an origin that is not allowed gets a
// 403 problem too, so a forbidden site cannot trigger side effects with
// simple requests. Same-origin requests pass untouched. Responses carry
// Vary: Origin, and Access-Control-Allow-Origin names the origin, never
// "*", when credentials are allowed.
//
// CORS panics if the options combine "*" with AllowCredentials, or list an
// origin that is not a URL: both are wiring mistakes.
func CORS(o CORSOptions) func(http.Handler) http.Handler {
	c := newCORS(o)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			h := w.Header()
			h.Add("Vary", "Origin")
			if origin == "" || sameOrigin(origin, r) {
				next.ServeHTTP(w, r)
				return
			}
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if !c.originAllowed(origin) {
				WriteProblem(w, r, &Error{Status: http.StatusForbidden, Detail: "Cross-origin requests from this origin are not allowed."})
				return
			}
			if c.anyOrigin && !c.credentials {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if c.credentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if !preflight {
				if c.exposed != "" {
					h.Set("Access-Control-Expose-Headers", c.exposed)
				}
				next.ServeHTTP(w, r)
				return
			}
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !c.methodAllowed(r.Header.Get("Access-Control-Request-Method")) || !c.headersAllowed(r.Header.Values("Access-Control-Request-Headers")) {
				h.Del("Access-Control-Allow-Origin")
				h.Del("Access-Control-Allow-Credentials")
				WriteProblem(w, r, &Error{Status: http.StatusForbidden, Detail: "This cross-origin method or header is not allowed."})
				return
			}
			h.Set("Access-Control-Allow-Methods", c.methods)
			if reqH := r.Header.Values("Access-Control-Request-Headers"); len(reqH) > 0 {
				h.Set("Access-Control-Allow-Headers", strings.Join(reqH, ", "))
			}
			h.Set("Access-Control-Max-Age", c.maxAge)
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

type cors struct {
	exact       map[string]bool
	suffixes    []string // "https://*.example.com" → scheme "https://", suffix ".example.com"
	schemes     []string
	anyOrigin   bool
	credentials bool
	methodSet   map[string]bool
	headerSet   map[string]bool
	methods     string
	exposed     string
	maxAge      string
}

func newCORS(o CORSOptions) *cors {
	c := &cors{exact: map[string]bool{}, credentials: o.AllowCredentials, methodSet: map[string]bool{}, headerSet: map[string]bool{}}
	for _, origin := range o.AllowedOrigins {
		origin = strings.TrimSuffix(strings.TrimSpace(origin), "/")
		switch {
		case origin == "*":
			c.anyOrigin = true
		case strings.Contains(origin, "://*."):
			scheme, rest, _ := strings.Cut(origin, "://*")
			c.schemes = append(c.schemes, strings.ToLower(scheme)+"://")
			c.suffixes = append(c.suffixes, strings.ToLower(rest))
		default:
			u, err := url.Parse(origin)
			if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
				panic("httpx: CORS origin " + strconv.Quote(origin) + " is not scheme://host[:port]")
			}
			c.exact[strings.ToLower(origin)] = true
		}
	}
	if c.anyOrigin && c.credentials {
		panic(`httpx: CORS cannot allow credentials for origin "*"`)
	}
	methods := o.AllowedMethods
	if len(methods) == 0 {
		methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	}
	for _, m := range methods {
		c.methodSet[strings.ToUpper(m)] = true
	}
	c.methods = strings.Join(methods, ", ")
	headers := o.AllowedHeaders
	if len(headers) == 0 {
		headers = []string{"Accept", "Authorization", "Content-Type", "X-Request-ID"}
	}
	for _, h := range headers {
		c.headerSet[strings.ToLower(h)] = true
	}
	c.exposed = strings.Join(o.ExposedHeaders, ", ")
	maxAge := o.MaxAge
	if maxAge == 0 {
		maxAge = 10 * time.Minute
	}
	c.maxAge = strconv.Itoa(int(maxAge / time.Second))
	return c
}

func (c *cors) originAllowed(origin string) bool {
	if c.anyOrigin {
		return true
	}
	o := strings.ToLower(origin)
	if c.exact[o] {
		return true
	}
	for i, suf := range c.suffixes {
		if rest, ok := strings.CutPrefix(o, c.schemes[i]); ok && strings.HasSuffix(rest, suf) && len(rest) > len(suf) {
			host := strings.TrimSuffix(rest, suf)
			if !strings.ContainsAny(host, "/?#@") {
				return true
			}
		}
	}
	return false
}

func (c *cors) methodAllowed(m string) bool { return c.methodSet[strings.ToUpper(m)] }

func (c *cors) headersAllowed(lines []string) bool {
	for _, line := range lines {
		for _, h := range strings.Split(line, ",") {
			h = strings.ToLower(strings.TrimSpace(h))
			if h != "" && !c.headerSet[h] {
				return false
			}
		}
	}
	return true
}

// sameOrigin reports whether origin names the request's own host. The
// scheme is not compared, since TLS is often terminated by a proxy.
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}
