package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeel/keel/auth"
)

func newTestRBAC(t *testing.T) *auth.RBAC {
	t.Helper()
	p := auth.NewRBAC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.Grant("viewer", "todos:read", "comments:read"))
	must(p.Grant("editor", "todos:write", "comments:*"))
	must(p.Inherit("editor", "viewer"))
	must(p.Grant("admin", "*"))
	must(p.Inherit("admin", "editor"))
	must(p.GrantIn("acme", "editor", "billing:read"))
	return p
}

func TestRBACAllowed(t *testing.T) {
	t.Parallel()
	p := newTestRBAC(t)
	cases := []struct {
		roles  []string
		tenant string
		perm   string
		want   bool
	}{
		{[]string{"viewer"}, "", "todos:read", true},
		{[]string{"viewer"}, "", "todos:write", false},
		{[]string{"editor"}, "", "todos:read", true}, // inherited
		{[]string{"editor"}, "", "todos:write", true},
		{[]string{"editor"}, "", "comments:delete", true},      // wildcard
		{[]string{"editor"}, "", "comments:mod:ban", true},     // wildcard covers deeper parts
		{[]string{"editor"}, "", "commentsx:delete", false},    // prefix must end at a ':'
		{[]string{"editor"}, "", "comments", false},            // "comments:*" is not "comments"
		{[]string{"admin"}, "", "anything:at:all", true},       // "*"
		{[]string{"editor"}, "", "billing:read", false},        // tenant grant only in acme
		{[]string{"editor"}, "acme", "billing:read", true},     // tenant grant
		{[]string{"editor"}, "acme", "todos:write", true},      // global grants apply in tenants
		{[]string{"editor"}, "globex", "billing:read", false},  // other tenant
		{[]string{"viewer"}, "acme", "billing:read", false},    // tenant grant is for editor
		{[]string{"nobody", "viewer"}, "", "todos:read", true}, // any role
		{nil, "", "todos:read", false},
		{[]string{"unknown"}, "", "todos:read", false},
	}
	for _, tc := range cases {
		if got := p.Allowed(tc.roles, tc.tenant, tc.perm); got != tc.want {
			t.Errorf("Allowed(%v, %q, %q) = %v, want %v", tc.roles, tc.tenant, tc.perm, got, tc.want)
		}
	}
}

func TestRBACExplain(t *testing.T) {
	t.Parallel()
	p := newTestRBAC(t)
	d := p.Explain([]string{"editor"}, "", "todos:read")
	if !d.Allowed || d.Role != "editor" || d.Holder != "viewer" || d.Pattern != "todos:read" {
		t.Errorf("Explain = %+v", d)
	}
	if got := d.String(); got != `allowed "todos:read": role "editor" grants "todos:read" (inherited from "viewer")` {
		t.Errorf("String = %s", got)
	}
	d = p.Explain([]string{"editor"}, "", "comments:x")
	if d.Pattern != "comments:*" || d.Holder != "editor" {
		t.Errorf("wildcard Explain = %+v", d)
	}
	d = p.Explain([]string{"viewer"}, "", "todos:write")
	if d.Allowed || !strings.Contains(d.String(), "denied") {
		t.Errorf("denied Explain = %+v", d)
	}
}

func TestRBACCycles(t *testing.T) {
	t.Parallel()
	p := auth.NewRBAC()
	if err := p.Inherit("a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := p.Inherit("b", "c"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range [][2]string{{"c", "a"}, {"a", "a"}, {"b", "a"}} {
		err := p.Inherit(tc[0], tc[1])
		if !errors.Is(err, auth.ErrPolicyCycle) {
			t.Errorf("Inherit(%s, %s) = %v, want ErrPolicyCycle", tc[0], tc[1], err)
		}
	}
	if err := p.Grant("c", "x:y"); err != nil {
		t.Fatal(err)
	}
	if !p.Allowed([]string{"a"}, "", "x:y") || p.Allowed([]string{"c"}, "", "a:b") {
		t.Error("policy changed by a refused Inherit")
	}
}

func TestRBACRejectsBadInput(t *testing.T) {
	t.Parallel()
	p := auth.NewRBAC()
	for _, perm := range []string{"", "todos::write", "to*dos", "*:write", "todos:*:x", "a b", "todos:wr*"} {
		if err := p.Grant("r", perm); !errors.Is(err, auth.ErrPolicy) {
			t.Errorf("Grant(%q) = %v, want ErrPolicy", perm, err)
		}
	}
	if err := p.Grant("", "x"); !errors.Is(err, auth.ErrPolicy) {
		t.Errorf("empty role: %v", err)
	}
}

func TestRBACConcurrentReadsDuringChanges(t *testing.T) {
	t.Parallel()
	p := newTestRBAC(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if !p.Allowed([]string{"editor"}, "", "todos:write") {
					t.Error("a grant that was never revoked disappeared")
					return
				}
			}
		}()
	}
	for i := range 200 {
		if err := p.Grant(fmt.Sprintf("role%d", i), "x:y"); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestRBACAllowedDoesNotAllocate(t *testing.T) {
	p := newTestRBAC(t)
	roles := []string{"viewer", "editor"}
	p.Allowed(roles, "", "x") // build the tables
	for _, perm := range []string{"comments:mod:ban", "nope:nope"} {
		if n := testing.AllocsPerRun(100, func() { p.Allowed(roles, "acme", perm) }); n != 0 {
			t.Errorf("Allowed(%q) allocates %v times", perm, n)
		}
	}
}

const policyYAML = `# test policy
roles:
  viewer:
    permissions: [todos:read]
  editor:
    inherits: [viewer]
    permissions:
      - todos:write
      - "comments:*"
  admin:
    inherits: [editor]
    permissions: ["*"]
  guest:
tenants:
  acme:
    editor: [billing:read]
`

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"yaml": policyYAML,
		"json": `{"roles": {"viewer": {"permissions": ["todos:read"]},
		          "editor": {"inherits": ["viewer"], "permissions": ["todos:write", "comments:*"]},
		          "admin": {"inherits": ["editor"], "permissions": ["*"]}},
		 "tenants": {"acme": {"editor": ["billing:read"]}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := auth.ParsePolicy([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				roles  []string
				tenant string
				perm   string
				want   bool
			}{
				{[]string{"editor"}, "", "todos:read", true},
				{[]string{"editor"}, "", "comments:x", true},
				{[]string{"viewer"}, "", "todos:write", false},
				{[]string{"admin"}, "", "x:y", true},
				{[]string{"editor"}, "acme", "billing:read", true},
				{[]string{"editor"}, "", "billing:read", false},
			} {
				if got := p.Allowed(c.roles, c.tenant, c.perm); got != c.want {
					t.Errorf("Allowed(%v, %q, %q) = %v", c.roles, c.tenant, c.perm, got)
				}
			}
		})
	}
}

func TestParsePolicyErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc string
		line      int
		want      error
		msg       string
	}{
		{"unknown top key", "roles: {}\nrule:\n  x: y\n", 2, auth.ErrPolicy, "unknown key"},
		{"bad permission", "roles:\n  viewer:\n    permissions:\n      - todos::read\n", 4, auth.ErrPolicy, "empty part"},
		{"bad wildcard", "roles:\n  v:\n    permissions: [\"to*\"]\n", 3, auth.ErrPolicy, "*"},
		{"undefined parent", "roles:\n  editor:\n    inherits: [viewr]\n", 3, auth.ErrPolicy, "undefined role"},
		{"cycle", "roles:\n  a:\n    inherits: [b]\n  b:\n    inherits: [a]\n", 5, auth.ErrPolicyCycle, "a"},
		{"self cycle", "roles:\n  a:\n    inherits: [a]\n", 3, auth.ErrPolicyCycle, "a"},
		{"unknown role key", "roles:\n  a:\n    perms: [x]\n", 3, auth.ErrPolicy, "unknown key"},
		{"tenant role undefined", "roles:\n  a: {}\ntenants:\n  acme:\n    b: [x]\n", 5, auth.ErrPolicy, "undefined role"},
		{"permissions not a list", "roles:\n  a:\n    permissions: x\n", 3, auth.ErrPolicy, "list"},
		{"duplicate role", "roles:\n  a: {}\n  a: {}\n", 3, auth.ErrPolicy, "duplicate"},
		{"alias", "roles:\n  a: &x {permissions: [y]}\n  b: *x\n", 3, auth.ErrPolicy, "alias"},
		{"not a mapping", "- a\n- b\n", 1, auth.ErrPolicy, "mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.ParsePolicy([]byte(tc.doc))
			var pe *auth.PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want a *PolicyError wrapping %v", err, tc.want)
			}
			if pe.Line != tc.line || !strings.Contains(err.Error(), fmt.Sprintf("line %d", tc.line)) ||
				!strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v (line %d), want line %d mentioning %q", err, pe.Line, tc.line, tc.msg)
			}
		})
	}
	if _, err := auth.ParsePolicy([]byte("roles: [")); !errors.Is(err, auth.ErrPolicy) {
		t.Errorf("syntax error: %v", err)
	}
}

func TestLoadDocumentSwapsAtomically(t *testing.T) {
	t.Parallel()
	p := newTestRBAC(t)
	if err := p.LoadDocument([]byte("roles:\n  a: {inherits: [zzz]}\n")); err == nil {
		t.Fatal("bad document accepted")
	}
	if !p.Allowed([]string{"editor"}, "", "todos:write") {
		t.Fatal("bad document changed the policy")
	}
	if err := p.LoadDocument([]byte("roles:\n  editor: {permissions: [todos:read]}\n")); err != nil {
		t.Fatal(err)
	}
	if p.Allowed([]string{"editor"}, "", "todos:write") || !p.Allowed([]string{"editor"}, "", "todos:read") {
		t.Fatal("new document not in force")
	}
}

func TestABAC(t *testing.T) {
	t.Parallel()
	rbac := newTestRBAC(t)
	p, err := auth.NewABAC(rbac,
		auth.Rule{Name: "owner-edits-own-todo", Effect: auth.Allow, Permissions: []string{"todos:write"}, When: auth.IsOwner("owner")},
		auth.Rule{Name: "writes-in-business-hours", Effect: auth.Deny, Permissions: []string{"todos:*"},
			When: auth.All(auth.Not(auth.BusinessHours(9, 17, time.UTC)), auth.Not(auth.HasRole("admin")))},
		auth.Rule{Name: "same-tenant", Effect: auth.Deny, When: auth.All(
			func(_ context.Context, r *auth.AccessRequest) bool { return r.Resource["tenant"] != nil },
			auth.Not(auth.SameTenant("tenant")))},
	)
	if err != nil {
		t.Fatal(err)
	}
	wed10 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	wed20 := time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)
	sat10 := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
	viewer := &auth.Claims{Subject: "u1", Roles: []string{"viewer"}, Tenant: "acme"}
	editor := &auth.Claims{Subject: "u2", Roles: []string{"editor"}, Tenant: "acme"}
	admin := &auth.Claims{Subject: "u3", Roles: []string{"admin"}}
	cases := []struct {
		name     string
		sub      *auth.Claims
		perm     string
		res      auth.Attributes
		at       time.Time
		allowed  bool
		decideBy string
	}{
		{"editor by role", editor, "todos:write", nil, wed10, true, `role "editor"`},
		{"viewer owns todo", viewer, "todos:write", auth.Attributes{"owner": "u1"}, wed10, true, `rule "owner-edits-own-todo"`},
		{"viewer not owner", viewer, "todos:write", auth.Attributes{"owner": "u9"}, wed10, false, "no role or rule"},
		{"after hours", editor, "todos:write", nil, wed20, false, `rule "writes-in-business-hours"`},
		{"weekend", editor, "todos:write", nil, sat10, false, `rule "writes-in-business-hours"`},
		{"admin after hours", admin, "todos:write", nil, wed20, true, `role "admin"`},
		{"other tenant", editor, "todos:write", auth.Attributes{"tenant": "globex"}, wed10, false, `rule "same-tenant"`},
		{"same tenant", editor, "todos:write", auth.Attributes{"tenant": "acme"}, wed10, true, `role "editor"`},
		{"no subject", nil, "todos:read", nil, wed10, false, "denied"},
	}
	for _, tc := range cases {
		d := p.Decide(context.Background(), &auth.AccessRequest{Subject: tc.sub, Permission: tc.perm, Resource: tc.res, Time: tc.at})
		if d.Allowed != tc.allowed || !strings.Contains(d.String(), tc.decideBy) {
			t.Errorf("%s: %s, want allowed=%v by %s", tc.name, d, tc.allowed, tc.decideBy)
		}
	}
	if _, err := auth.NewABAC(nil, auth.Rule{Effect: auth.Allow}); !errors.Is(err, auth.ErrPolicy) {
		t.Errorf("nameless rule: %v", err)
	}
	if _, err := auth.NewABAC(nil, auth.Rule{Name: "x"}); !errors.Is(err, auth.ErrPolicy) {
		t.Errorf("rule without effect: %v", err)
	}
}

func TestRequire(t *testing.T) {
	t.Parallel()
	rbac := newTestRBAC(t)
	abac, _ := auth.NewABAC(rbac, auth.Rule{Name: "owner", Effect: auth.Allow, Permissions: []string{"todos:write"}, When: auth.IsOwner("owner")})
	h := auth.Require(abac, "todos:write", auth.WithResource(func(r *http.Request) (auth.Attributes, error) {
		return auth.Attributes{"owner": r.URL.Query().Get("owner")}, nil
	}))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	cases := []struct {
		name   string
		claims *auth.Claims
		url    string
		want   int
	}{
		{"no claims", nil, "/t", http.StatusUnauthorized},
		{"viewer", &auth.Claims{Subject: "u1", Roles: []string{"viewer"}}, "/t?owner=u9", http.StatusForbidden},
		{"viewer owner", &auth.Claims{Subject: "u1", Roles: []string{"viewer"}}, "/t?owner=u1", http.StatusNoContent},
		{"editor", &auth.Claims{Subject: "u2", Roles: []string{"editor"}}, "/t", http.StatusNoContent},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(http.MethodPost, tc.url, nil)
		if tc.claims != nil {
			req = req.WithContext(auth.WithClaims(req.Context(), tc.claims))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.want)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: Content-Type %q", tc.name, rec.Header().Get("Content-Type"))
		}
	}
}

func TestRequireFromNetworks(t *testing.T) {
	t.Parallel()
	p, err := auth.NewABAC(nil, auth.Rule{Name: "office-network", Effect: auth.Allow,
		When: auth.FromNetworks(netip.MustParsePrefix("10.0.0.0/8"))})
	if err != nil {
		t.Fatal(err)
	}
	h := auth.Require(p, "admin:panel")(echoSubject)
	for addr, want := range map[string]int{"10.1.2.3:5000": 200, "192.0.2.1:5000": 403} {
		rec := serve(h, func(r *http.Request) {
			r.RemoteAddr = addr
			*r = *r.WithContext(auth.WithClaims(r.Context(), &auth.Claims{Subject: "u"}))
		})
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", addr, rec.Code, want)
		}
	}
}
