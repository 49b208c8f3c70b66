// Package httpxbench compares keel's httpx Router and middleware stack with
// net/http's ServeMux, go-chi/chi, gin and echo on the same 50-route table.
package httpxbench

import (
	"net/http"
	"strings"
)

// route is one entry of the shared table: a method, a pattern in ServeMux/chi
// syntax ({param}), and a concrete path that matches it.
type route struct{ method, pattern, path string }

// routes is a 50-route API in the style of GitHub's, with path parameters.
var routes = func() []route {
	specs := []string{
		"GET /user", "GET /users/{user}", "GET /users/{user}/repos", "GET /users/{user}/orgs",
		"GET /users/{user}/followers", "GET /users/{user}/following", "GET /users/{user}/gists", "GET /users/{user}/keys",
		"GET /orgs/{org}", "GET /orgs/{org}/repos", "GET /orgs/{org}/members", "GET /orgs/{org}/teams",
		"POST /orgs/{org}/repos", "GET /repos/{owner}/{repo}", "PATCH /repos/{owner}/{repo}", "DELETE /repos/{owner}/{repo}",
		"GET /repos/{owner}/{repo}/issues", "POST /repos/{owner}/{repo}/issues", "GET /repos/{owner}/{repo}/issues/{number}",
		"PATCH /repos/{owner}/{repo}/issues/{number}", "GET /repos/{owner}/{repo}/issues/{number}/comments",
		"POST /repos/{owner}/{repo}/issues/{number}/comments", "GET /repos/{owner}/{repo}/pulls",
		"POST /repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/pulls/{number}", "GET /repos/{owner}/{repo}/pulls/{number}/files",
		"PUT /repos/{owner}/{repo}/pulls/{number}/merge", "GET /repos/{owner}/{repo}/commits", "GET /repos/{owner}/{repo}/commits/{sha}",
		"GET /repos/{owner}/{repo}/branches", "GET /repos/{owner}/{repo}/branches/{branch}", "GET /repos/{owner}/{repo}/tags",
		"GET /repos/{owner}/{repo}/releases", "POST /repos/{owner}/{repo}/releases", "GET /repos/{owner}/{repo}/releases/{id}",
		"GET /repos/{owner}/{repo}/contributors", "GET /repos/{owner}/{repo}/languages", "GET /repos/{owner}/{repo}/stargazers",
		"GET /repos/{owner}/{repo}/forks", "POST /repos/{owner}/{repo}/forks", "GET /repos/{owner}/{repo}/hooks",
		"POST /repos/{owner}/{repo}/hooks", "GET /repos/{owner}/{repo}/hooks/{id}", "DELETE /repos/{owner}/{repo}/hooks/{id}",
		"GET /gists", "POST /gists", "GET /gists/{id}", "DELETE /gists/{id}", "GET /notifications", "GET /search/repositories",
	}
	out := make([]route, 0, len(specs))
	for _, s := range specs {
		method, pattern, _ := strings.Cut(s, " ")
		path := pattern
		for _, p := range []string{"{user}", "{org}", "{owner}", "{repo}", "{number}", "{sha}", "{branch}", "{id}"} {
			path = strings.ReplaceAll(path, p, "v"+strings.Trim(p, "{}"))
		}
		out = append(out, route{method, pattern, path})
	}
	return out
}()

// colonPattern converts "/repos/{owner}" to "/repos/:owner" for gin and echo.
func colonPattern(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '{':
			b.WriteByte(':')
		case '}':
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

// requests are prebuilt, one per route.
func requests() []*http.Request {
	reqs := make([]*http.Request, len(routes))
	for i, rt := range routes {
		r, err := http.NewRequest(rt.method, rt.path, nil)
		if err != nil {
			panic(err)
		}
		r.RemoteAddr = "192.0.2.10:4321"
		reqs[i] = r
	}
	return reqs
}

// discardWriter is a ResponseWriter that allocates nothing per request.
type discardWriter struct {
	h      http.Header
	status int
}

func newDiscardWriter() *discardWriter { return &discardWriter{h: make(http.Header, 8)} }

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return len(b), nil
}
func (w *discardWriter) WriteHeader(code int) { w.status = code }
func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
}

var body = []byte(`{"ok":true}`)
