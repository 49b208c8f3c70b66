package auth

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// RBAC is a role-based access policy. Roles are granted permissions
// ("todos:write"), inherit the permissions of other roles, and may be
// granted more inside one tenant ([RBAC.GrantIn]).
//
// # Permissions
//
// A permission is a string of ':'-separated parts, such as "todos:write" or
// "/docs/42:read". A grant whose last part is "*" covers every permission
// with the same leading parts: "todos:*" covers "todos:write" and
// "todos:comments:read"; "*" alone covers everything.
//
// # Reads and writes
//
// Each role's permissions, with inheritance expanded, are precomputed once
// after a change, so [RBAC.Allowed] is a few map lookups with no allocation
// and no lock. Changes are serialised and replace the precomputed tables
// atomically: concurrent checks see the old or the new policy, never a
// mix. [RBAC.LoadDocument] precomputes the new tables before the swap, so
// checks never wait for it; after Grant, Inherit or Revoke the tables are
// rebuilt by the first check that follows (so a batch of calls costs one
// rebuild), and checks arriving during that rebuild wait for it. Cycles in
// inheritance are refused when defined.
//
// The zero value is not usable; build one with [NewRBAC] or [ParsePolicy].
// RBAC is safe for concurrent use.
type RBAC struct {
	mu   sync.Mutex // serialises writers; guards def
	def  *rbacDef
	snap atomic.Pointer[rbacSnap]
}

var _ Policy = (*RBAC)(nil)

type rbacDef struct {
	grants  map[string]map[string][]string // tenant ("" global) -> role -> patterns
	parents map[string][]string            // role -> roles it inherits
}

func newDef() *rbacDef {
	return &rbacDef{grants: map[string]map[string][]string{"": {}}, parents: map[string][]string{}}
}

// permSet is the expanded permissions of one role in one tenant. Map values
// name the role that holds the grant (the role itself or an ancestor).
type permSet struct {
	all    string // holder of "*", or ""
	exact  map[string]string
	prefix map[string]string // "todos:" for "todos:*"
}

type rbacSnap struct {
	global  map[string]*permSet
	tenants map[string]map[string]*permSet
}

// NewRBAC returns an empty policy: it allows nothing.
func NewRBAC() *RBAC {
	return &RBAC{def: newDef()}
}

// load returns the precomputed tables, building them after a change. The
// build runs once per change, under the writers' lock.
func (p *RBAC) load() *rbacSnap {
	if s := p.snap.Load(); s != nil {
		return s
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.snap.Load(); s != nil {
		return s
	}
	s := p.def.build()
	p.snap.Store(s)
	return s
}

// Grant gives role the permissions perms, in every tenant. Invalid
// permission patterns are an error wrapping [ErrPolicy].
func (p *RBAC) Grant(role string, perms ...string) error { return p.GrantIn("", role, perms...) }

// GrantIn gives role the permissions perms inside tenant only: a subject
// whose claims name that Tenant has them in addition to the global grants.
// An empty tenant is the same as [RBAC.Grant].
func (p *RBAC) GrantIn(tenant, role string, perms ...string) error {
	if err := checkRole(role); err != nil {
		return err
	}
	for _, perm := range perms {
		if err := CheckPermission(perm); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.def.grant(tenant, role, perms)
	p.snap.Store(nil)
	return nil
}

func (d *rbacDef) grant(tenant, role string, perms []string) {
	roles := d.grants[tenant]
	if roles == nil {
		roles = map[string][]string{}
		d.grants[tenant] = roles
	}
	for _, perm := range perms {
		if !slices.Contains(roles[role], perm) {
			roles[role] = append(roles[role], perm)
		}
	}
	if _, ok := roles[role]; !ok {
		roles[role] = nil
	}
}

// Revoke takes perms away from role (global grants only). Permissions the
// role inherits are unaffected.
func (p *RBAC) Revoke(role string, perms ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.def.grants[""]
	g[role] = slices.DeleteFunc(g[role], func(s string) bool { return slices.Contains(perms, s) })
	p.snap.Store(nil)
}

// Inherit makes role inherit every permission of parents (so
// Inherit("admin", "editor") gives admins what editors have). Roles need
// not be granted anything first. An edge that would close a cycle is
// refused with an error wrapping [ErrPolicyCycle], and nothing changes.
func (p *RBAC) Inherit(role string, parents ...string) error {
	if err := checkRole(role); err != nil {
		return err
	}
	for _, r := range parents {
		if err := checkRole(r); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.def.inherit(role, parents); err != nil {
		return err
	}
	p.snap.Store(nil)
	return nil
}

func (d *rbacDef) inherit(role string, parents []string) error {
	for _, parent := range parents {
		if path := d.path(parent, role); path != nil {
			return fmt.Errorf("%w: %s inherits %s", ErrPolicyCycle, role, strings.Join(path, " inherits "))
		}
	}
	for _, parent := range parents {
		if !slices.Contains(d.parents[role], parent) {
			d.parents[role] = append(d.parents[role], parent)
		}
	}
	return nil
}

// path returns the inheritance path from -> ... -> to, or nil.
func (d *rbacDef) path(from, to string) []string {
	if from == to {
		return []string{from}
	}
	seen := map[string]bool{}
	var walk func(r string) []string
	walk = func(r string) []string {
		if r == to {
			return []string{r}
		}
		if seen[r] {
			return nil
		}
		seen[r] = true
		for _, p := range d.parents[r] {
			if rest := walk(p); rest != nil {
				return append([]string{r}, rest...)
			}
		}
		return nil
	}
	return walk(from)
}

// closure returns role and every role it inherits, role first.
func (d *rbacDef) closure(role string) []string {
	out := []string{role}
	seen := map[string]bool{role: true}
	for i := 0; i < len(out); i++ {
		for _, p := range d.parents[out[i]] {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func (d *rbacDef) roles() []string {
	set := map[string]bool{}
	for _, roles := range d.grants {
		for r := range roles {
			set[r] = true
		}
	}
	for r, ps := range d.parents {
		set[r] = true
		for _, p := range ps {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func (d *rbacDef) build() *rbacSnap {
	s := &rbacSnap{global: map[string]*permSet{}, tenants: map[string]map[string]*permSet{}}
	roles := d.roles()
	closures := make(map[string][]string, len(roles))
	for _, r := range roles {
		closures[r] = d.closure(r)
	}
	expand := func(tenant string) map[string]*permSet {
		out := make(map[string]*permSet, len(roles))
		for _, r := range roles {
			ps := &permSet{exact: map[string]string{}, prefix: map[string]string{}}
			for _, holder := range closures[r] {
				ps.add(d.grants[""][holder], holder)
				if tenant != "" {
					ps.add(d.grants[tenant][holder], holder)
				}
			}
			out[r] = ps
		}
		return out
	}
	s.global = expand("")
	for t := range d.grants {
		if t != "" {
			s.tenants[t] = expand(t)
		}
	}
	return s
}

func (ps *permSet) add(perms []string, holder string) {
	for _, perm := range perms {
		switch {
		case perm == "*":
			if ps.all == "" {
				ps.all = holder
			}
		case strings.HasSuffix(perm, ":*"):
			k := perm[:len(perm)-1]
			if _, ok := ps.prefix[k]; !ok {
				ps.prefix[k] = holder
			}
		default:
			if _, ok := ps.exact[perm]; !ok {
				ps.exact[perm] = holder
			}
		}
	}
}

// match returns the holder and pattern that grant perm.
func (ps *permSet) match(perm string) (holder, pattern string, ok bool) {
	if ps.all != "" {
		return ps.all, "*", true
	}
	if h, ok := ps.exact[perm]; ok {
		return h, perm, true
	}
	if len(ps.prefix) > 0 {
		for i := 0; i < len(perm); i++ {
			if perm[i] == ':' {
				if h, ok := ps.prefix[perm[:i+1]]; ok {
					return h, perm[:i+1] + "*", true
				}
			}
		}
	}
	return "", "", false
}

// matches reports whether ps grants perm, without building the pattern.
func (ps *permSet) matches(perm string) bool {
	if ps.all != "" {
		return true
	}
	if _, ok := ps.exact[perm]; ok {
		return true
	}
	if len(ps.prefix) > 0 {
		for i := 0; i < len(perm); i++ {
			if perm[i] == ':' {
				if _, ok := ps.prefix[perm[:i+1]]; ok {
					return true
				}
			}
		}
	}
	return false
}

func (s *rbacSnap) table(tenant string) map[string]*permSet {
	if tenant != "" {
		if t, ok := s.tenants[tenant]; ok {
			return t
		}
	}
	return s.global
}

// Allowed reports whether any of roles has perm in tenant ("" for none).
// It takes no lock and allocates nothing.
func (p *RBAC) Allowed(roles []string, tenant, perm string) bool {
	t := p.load().table(tenant)
	for _, r := range roles {
		if ps := t[r]; ps != nil && ps.matches(perm) {
			return true
		}
	}
	return false
}

// Explain is [RBAC.Allowed] with the reason: which of roles granted perm,
// through which inherited role and pattern.
func (p *RBAC) Explain(roles []string, tenant, perm string) Decision {
	t := p.load().table(tenant)
	for _, r := range roles {
		if ps := t[r]; ps != nil {
			if holder, pattern, ok := ps.match(perm); ok {
				return Decision{Allowed: true, Permission: perm, Role: r, Holder: holder, Pattern: pattern}
			}
		}
	}
	return Decision{Permission: perm, Reason: "no role grants it"}
}

// Decide implements [Policy] with the subject's roles and tenant.
func (p *RBAC) Decide(_ context.Context, req *AccessRequest) Decision {
	if req.Subject == nil {
		return Decision{Permission: req.Permission, Reason: "no subject"}
	}
	return p.Explain(req.Subject.Roles, req.Subject.Tenant, req.Permission)
}

// CheckPermission reports whether perm is a valid permission or grant
// pattern: non-empty ':'-separated parts without spaces, where "*" may
// only be the whole last part.
func CheckPermission(perm string) error {
	if perm == "" {
		return fmt.Errorf("%w: empty permission", ErrPolicy)
	}
	parts := strings.Split(perm, ":")
	for i, part := range parts {
		switch {
		case part == "":
			return fmt.Errorf("%w: permission %q has an empty part", ErrPolicy, perm)
		case strings.ContainsFunc(part, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			return fmt.Errorf("%w: permission %q has a space or control character", ErrPolicy, perm)
		case strings.Contains(part, "*") && (part != "*" || i != len(parts)-1):
			return fmt.Errorf("%w: permission %q: \"*\" may only be the whole last part", ErrPolicy, perm)
		}
	}
	return nil
}

func checkRole(role string) error {
	if role == "" || strings.ContainsFunc(role, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: invalid role name %q", ErrPolicy, role)
	}
	return nil
}
