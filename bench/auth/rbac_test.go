package authbench

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/gokeel/keel/auth"
)

// The shared policy: 100 roles r0..r99 in a binary inheritance tree (ri
// inherits r((i-1)/2)), and 1,000 permissions on 500 path-style objects
// ("/api/v1/docs/<n>" x read/write), 10 per role. The subject has role
// r99, which inherits r49, r24, r11, r5, r2 and r0.
const (
	nRoles = 100
	nPerms = 1000
)

func parent(i int) int { return (i - 1) / 2 }

func perm(j int) (obj, act string) {
	return fmt.Sprintf("/api/v1/docs/%d", j/2), []string{"read", "write"}[j%2]
}

func roleOf(j int) int { return j % nRoles }

// chain is the roles the subject has, directly or by inheritance.
func chain() []int {
	out := []int{99}
	for i := 99; i > 0; {
		i = parent(i)
		out = append(out, i)
	}
	return out
}

// requests returns an allowed permission (held by the root role, the
// farthest ancestor) and a denied one (held by a role outside the chain).
func requests() (allowed, denied [2]string) {
	c := chain()
	for j := range nPerms {
		o, a := perm(j)
		if roleOf(j) == 0 && allowed[0] == "" {
			allowed = [2]string{o, a}
		}
		if !slices.Contains(c, roleOf(j)) && denied[0] == "" && j > nPerms/2 {
			denied = [2]string{o, a}
		}
	}
	return allowed, denied
}

func keelPolicy(b *testing.B) *auth.RBAC {
	b.Helper()
	p := auth.NewRBAC()
	for i := 1; i < nRoles; i++ {
		if err := p.Inherit(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d", parent(i))); err != nil {
			b.Fatal(err)
		}
	}
	for j := range nPerms {
		o, a := perm(j)
		if err := p.Grant(fmt.Sprintf("r%d", roleOf(j)), o+":"+a); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

const casbinModel = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

func casbinRules() (policies, groups [][]string) {
	for j := range nPerms {
		o, a := perm(j)
		policies = append(policies, []string{fmt.Sprintf("r%d", roleOf(j)), o, a})
	}
	for i := 1; i < nRoles; i++ {
		groups = append(groups, []string{fmt.Sprintf("r%d", i), fmt.Sprintf("r%d", parent(i))})
	}
	groups = append(groups, []string{"alice", "r99"})
	return policies, groups
}

func newCasbin(b *testing.B) *casbin.Enforcer {
	b.Helper()
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		b.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		b.Fatal(err)
	}
	p, g := casbinRules()
	if _, err := e.AddPolicies(p); err != nil {
		b.Fatal(err)
	}
	if _, err := e.AddGroupingPolicies(g); err != nil {
		b.Fatal(err)
	}
	return e
}

func newCachedCasbin(b *testing.B) *casbin.CachedEnforcer {
	b.Helper()
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		b.Fatal(err)
	}
	e, err := casbin.NewCachedEnforcer(m)
	if err != nil {
		b.Fatal(err)
	}
	p, g := casbinRules()
	if _, err := e.AddPolicies(p); err != nil {
		b.Fatal(err)
	}
	if _, err := e.AddGroupingPolicies(g); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkRBAC compares one permission check: keel's RBAC.Allowed,
// casbin's Enforce and casbin's CachedEnforcer (a repeated request, so a
// cache hit), on an allowed and a denied request.
func BenchmarkRBAC(b *testing.B) {
	allowed, denied := requests()
	kp := keelPolicy(b)
	ce := newCasbin(b)
	cc := newCachedCasbin(b)
	roles := []string{"r99"}
	for _, tc := range []struct {
		name string
		req  [2]string
		want bool
	}{{"allowed", allowed, true}, {"denied", denied, false}} {
		permStr := tc.req[0] + ":" + tc.req[1]
		b.Run("case="+tc.name+"/impl=keel", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if kp.Allowed(roles, "", permStr) != tc.want {
					b.Fatal("wrong answer")
				}
			}
		})
		b.Run("case="+tc.name+"/impl=casbin", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ok, err := ce.Enforce("alice", tc.req[0], tc.req[1])
				if err != nil || ok != tc.want {
					b.Fatal("wrong answer", err)
				}
			}
		})
		b.Run("case="+tc.name+"/impl=casbin_cached", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ok, err := cc.Enforce("alice", tc.req[0], tc.req[1])
				if err != nil || ok != tc.want {
					b.Fatal("wrong answer", err)
				}
			}
		})
	}
}

// TestEquivalentModels checks that keel and casbin agree on every
// permission for the subject, so the benchmark compares like with like.
func TestEquivalentModels(t *testing.T) {
	kp := auth.NewRBAC()
	for i := 1; i < nRoles; i++ {
		if err := kp.Inherit(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d", parent(i))); err != nil {
			t.Fatal(err)
		}
	}
	for j := range nPerms {
		o, a := perm(j)
		if err := kp.Grant(fmt.Sprintf("r%d", roleOf(j)), o+":"+a); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := model.NewModelFromString(casbinModel)
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	p, g := casbinRules()
	_, _ = e.AddPolicies(p)
	_, _ = e.AddGroupingPolicies(g)
	allowedCount := 0
	for j := range nPerms {
		o, a := perm(j)
		want, err := e.Enforce("alice", o, a)
		if err != nil {
			t.Fatal(err)
		}
		if got := kp.Allowed([]string{"r99"}, "", o+":"+a); got != want {
			t.Fatalf("%s %s: keel %v, casbin %v", o, a, got, want)
		}
		if want {
			allowedCount++
		}
	}
	if allowedCount != 10*len(chain()) {
		t.Fatalf("subject holds %d permissions, want %d", allowedCount, 10*len(chain()))
	}
	allowed, denied := requests()
	if ok, _ := e.Enforce("alice", allowed[0], allowed[1]); !ok {
		t.Fatal("allowed request denied")
	}
	if ok, _ := e.Enforce("alice", denied[0], denied[1]); ok {
		t.Fatal("denied request allowed")
	}
}

// BenchmarkRBACPaired reports how many times slower casbin's Enforce and
// CachedEnforcer are than keel's check, timing short bursts of each back
// to back per round (medians over rounds), so a shared, noisy machine hits
// all three alike.
func BenchmarkRBACPaired(b *testing.B) {
	allowed, denied := requests()
	kp := keelPolicy(b)
	ce := newCasbin(b)
	cc := newCachedCasbin(b)
	roles := []string{"r99"}
	for _, tc := range []struct {
		name string
		req  [2]string
		want bool
	}{{"allowed", allowed, true}, {"denied", denied, false}} {
		b.Run("case="+tc.name, func(b *testing.B) {
			permStr := tc.req[0] + ":" + tc.req[1]
			check := func(ok bool, err error) {
				if err != nil || ok != tc.want {
					b.Fatal("wrong answer", err)
				}
			}
			impls := []struct {
				burst int
				f     func()
			}{
				{2000, func() { check(kp.Allowed(roles, "", permStr), nil) }},
				{2, func() { check(ce.Enforce("alice", tc.req[0], tc.req[1])) }},
				{200, func() { check(cc.Enforce("alice", tc.req[0], tc.req[1])) }},
			}
			var perOp [3][]float64
			var casbinX, cachedX []float64
			round := 0
			for b.Loop() {
				var ns [3]float64
				for k := range impls {
					i := (round + k) % len(impls)
					start := time.Now()
					for range impls[i].burst {
						impls[i].f()
					}
					ns[i] = float64(time.Since(start).Nanoseconds()) / float64(impls[i].burst)
					perOp[i] = append(perOp[i], ns[i])
				}
				round++
				casbinX = append(casbinX, ns[1]/ns[0])
				cachedX = append(cachedX, ns[2]/ns[0])
			}
			b.ReportMetric(median(casbinX), "casbin/keel")
			b.ReportMetric(median(cachedX), "cached/keel")
			b.ReportMetric(median(perOp[0]), "keel-ns")
			b.ReportMetric(median(perOp[1]), "casbin-ns")
			b.ReportMetric(median(perOp[2]), "cached-ns")
			b.ReportMetric(0, "ns/op")
		})
	}
}
