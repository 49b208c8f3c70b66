package auth

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Policy decides whether a request may do something. [*RBAC] and [*ABAC]
// implement it; [Require] enforces one over HTTP. Implementations must be
// safe for concurrent use.
type Policy interface {
	Decide(ctx context.Context, req *AccessRequest) Decision
}

// Attributes are named values about a resource or the environment, such
// as {"owner": "u1"}.
type Attributes map[string]any

// AccessRequest is what a [Policy] decides on.
type AccessRequest struct {
	// Subject is who asks; nil for an anonymous request.
	Subject *Claims
	// Permission is what they want to do, such as "todos:write".
	Permission string
	// Resource holds attributes of the thing acted on (may be nil).
	Resource Attributes
	// Env holds attributes of the request. [Require] sets "ip" (the client
	// address, a netip.Addr) and "method".
	Env Attributes
	// Time is when the request is made.
	Time time.Time
}

// Decision is a policy's answer with its reason, for audit logs.
type Decision struct {
	// Allowed is the answer.
	Allowed bool
	// Permission is the permission asked for.
	Permission string
	// Role is the subject's role that granted it (RBAC), or "".
	Role string
	// Holder is the role that holds the matching grant: Role itself or a
	// role it inherits.
	Holder string
	// Pattern is the grant that matched, such as "todos:*".
	Pattern string
	// Rule is the name of the ABAC rule that decided, or "".
	Rule string
	// Reason is a short explanation when no role or rule says more.
	Reason string
}

// String explains d in one line.
func (d Decision) String() string {
	var b strings.Builder
	if d.Allowed {
		b.WriteString("allowed ")
	} else {
		b.WriteString("denied ")
	}
	b.WriteString(strconv.Quote(d.Permission))
	switch {
	case d.Rule != "":
		b.WriteString(": rule " + strconv.Quote(d.Rule))
	case d.Role != "":
		b.WriteString(": role " + strconv.Quote(d.Role) + " grants " + strconv.Quote(d.Pattern))
		if d.Holder != d.Role {
			b.WriteString(" (inherited from " + strconv.Quote(d.Holder) + ")")
		}
	}
	if d.Reason != "" {
		b.WriteString(": " + d.Reason)
	}
	return b.String()
}

// Condition is a predicate on an [AccessRequest], used by ABAC [Rule]s.
type Condition func(ctx context.Context, req *AccessRequest) bool

// Effect is what a [Rule] does when it applies.
type Effect int

// Effects of a rule.
const (
	// Allow grants the permission even if the base policy does not.
	Allow Effect = iota + 1
	// Deny refuses the permission even if the base policy grants it.
	Deny
)

// Rule is an attribute-based rule of an [ABAC] policy.
type Rule struct {
	// Name identifies the rule in decisions and logs.
	Name string
	// Effect is Allow or Deny.
	Effect Effect
	// Permissions are the patterns (as in [RBAC]) the rule applies to;
	// empty means every permission.
	Permissions []string
	// When must hold for the rule to apply; nil means always.
	When Condition
}

// ABAC composes a base policy (usually an [*RBAC]) with attribute-based
// rules. A request is decided in this order:
//  1. a Deny rule that applies refuses it;
//  2. the base policy allows it;
//  3. an Allow rule that applies allows it;
//  4. otherwise it is refused.
//
// So "only during business hours" is a Deny rule whose condition is
// Not(BusinessHours(...)), and "owners may edit their own todo" is an Allow
// rule with IsOwner("owner"). Build one with [NewABAC]; it is immutable and
// safe for concurrent use.
type ABAC struct {
	base  Policy
	rules []compiledRule
}

type compiledRule struct {
	Rule
	perms *permSet // nil: every permission
}

var _ Policy = (*ABAC)(nil)

// NewABAC returns a policy of base (may be nil: rules only) and rules.
// Rules need a name, an effect and valid permission patterns.
func NewABAC(base Policy, rules ...Rule) (*ABAC, error) {
	a := &ABAC{base: base}
	for i, r := range rules {
		if r.Name == "" {
			return nil, fmt.Errorf("%w: rule %d has no name", ErrPolicy, i)
		}
		if r.Effect != Allow && r.Effect != Deny {
			return nil, fmt.Errorf("%w: rule %q has no effect", ErrPolicy, r.Name)
		}
		c := compiledRule{Rule: r}
		if len(r.Permissions) > 0 {
			for _, p := range r.Permissions {
				if err := CheckPermission(p); err != nil {
					return nil, fmt.Errorf("rule %q: %w", r.Name, err)
				}
			}
			c.perms = &permSet{exact: map[string]string{}, prefix: map[string]string{}}
			c.perms.add(r.Permissions, r.Name)
		}
		a.rules = append(a.rules, c)
	}
	return a, nil
}

func (r *compiledRule) applies(ctx context.Context, req *AccessRequest) bool {
	if r.perms != nil && !r.perms.matches(req.Permission) {
		return false
	}
	return r.When == nil || r.When(ctx, req)
}

// Decide implements [Policy].
func (a *ABAC) Decide(ctx context.Context, req *AccessRequest) Decision {
	for i := range a.rules {
		if r := &a.rules[i]; r.Effect == Deny && r.applies(ctx, req) {
			return Decision{Permission: req.Permission, Rule: r.Name}
		}
	}
	var base Decision
	if a.base != nil {
		base = a.base.Decide(ctx, req)
		if base.Allowed {
			return base
		}
	}
	for i := range a.rules {
		if r := &a.rules[i]; r.Effect == Allow && r.applies(ctx, req) {
			return Decision{Allowed: true, Permission: req.Permission, Rule: r.Name}
		}
	}
	if base.Reason == "" {
		base = Decision{Permission: req.Permission, Reason: "no role or rule grants it"}
	} else {
		base.Reason = "no role or rule grants it"
	}
	return base
}

// IsOwner holds when the resource attribute attr equals the subject's
// Subject claim.
func IsOwner(attr string) Condition {
	return func(_ context.Context, req *AccessRequest) bool {
		if req.Subject == nil || req.Subject.Subject == "" {
			return false
		}
		v, ok := req.Resource[attr].(string)
		return ok && v == req.Subject.Subject
	}
}

// SameTenant holds when the resource attribute attr equals the subject's
// Tenant claim.
func SameTenant(attr string) Condition {
	return func(_ context.Context, req *AccessRequest) bool {
		if req.Subject == nil || req.Subject.Tenant == "" {
			return false
		}
		v, ok := req.Resource[attr].(string)
		return ok && v == req.Subject.Tenant
	}
}

// HasRole holds when the subject has role.
func HasRole(role string) Condition {
	return func(_ context.Context, req *AccessRequest) bool { return req.Subject.HasRole(role) }
}

// BusinessHours holds when the request time, in loc, is on a weekday
// (Monday to Friday) at or after hour from and before hour to (0-24).
func BusinessHours(from, to int, loc *time.Location) Condition {
	if loc == nil {
		loc = time.UTC
	}
	return func(_ context.Context, req *AccessRequest) bool {
		t := req.Time.In(loc)
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return false
		}
		return t.Hour() >= from && t.Hour() < to
	}
}

// FromNetworks holds when the environment attribute "ip" (a netip.Addr,
// set by [Require] from httpx.ClientIP) is inside one of prefixes.
func FromNetworks(prefixes ...netip.Prefix) Condition {
	return func(_ context.Context, req *AccessRequest) bool {
		ip, ok := req.Env["ip"].(netip.Addr)
		if !ok || !ip.IsValid() {
			return false
		}
		ip = ip.Unmap()
		for _, p := range prefixes {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
}

// Not negates c.
func Not(c Condition) Condition {
	return func(ctx context.Context, req *AccessRequest) bool { return !c(ctx, req) }
}

// All holds when every one of cs holds.
func All(cs ...Condition) Condition {
	return func(ctx context.Context, req *AccessRequest) bool {
		for _, c := range cs {
			if !c(ctx, req) {
				return false
			}
		}
		return true
	}
}

// Any holds when at least one of cs holds.
func Any(cs ...Condition) Condition {
	return func(ctx context.Context, req *AccessRequest) bool {
		for _, c := range cs {
			if c(ctx, req) {
				return true
			}
		}
		return false
	}
}
