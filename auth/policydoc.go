package auth

import (
	"errors"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// MaxPolicySize is the largest policy document [ParsePolicy] reads.
const MaxPolicySize = 1 << 20

// PolicyError is an invalid policy document, with the line it is about.
// It wraps [ErrPolicy] or [ErrPolicyCycle].
type PolicyError struct {
	Line, Column int
	Msg          string
	Err          error
}

// Error returns "auth: policy line N: msg".
func (e *PolicyError) Error() string {
	if e.Line == 0 {
		return "auth: policy: " + e.Msg
	}
	return fmt.Sprintf("auth: policy line %d: %s", e.Line, e.Msg)
}

// Unwrap returns the sentinel.
func (e *PolicyError) Unwrap() error { return e.Err }

func perr(n *yaml.Node, format string, args ...any) error {
	e := &PolicyError{Msg: fmt.Sprintf(format, args...), Err: ErrPolicy}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// ParsePolicy reads an RBAC policy from a YAML or JSON document:
//
//	roles:
//	  viewer:
//	    permissions: [todos:read]
//	  editor:
//	    inherits: [viewer]
//	    permissions: [todos:write, comments:*]
//	  admin:
//	    inherits: [editor]
//	    permissions: ["*"]
//	tenants:            # optional: extra grants inside one tenant
//	  acme:
//	    editor: [billing:read]
//
// Unknown keys, invalid permissions, roles that inherit or are granted
// in a tenant without being defined under "roles", and inheritance cycles
// are errors; each is a [*PolicyError] naming the line.
func ParsePolicy(data []byte) (*RBAC, error) {
	def, err := parseDoc(data)
	if err != nil {
		return nil, err
	}
	return &RBAC{def: def}, nil
}

// LoadDocument replaces the whole policy with the one in a YAML or JSON
// document (see [ParsePolicy]), atomically: checks see the old policy or
// the new one, and are not held up while the new one is precomputed. On
// error the policy is unchanged.
func (p *RBAC) LoadDocument(data []byte) error {
	def, err := parseDoc(data)
	if err != nil {
		return err
	}
	snap := def.build() // outside the lock: checks go on meanwhile
	p.mu.Lock()
	p.def = def
	p.snap.Store(snap)
	p.mu.Unlock()
	return nil
}

type docRole struct {
	node     *yaml.Node
	perms    []*yaml.Node
	inherits []*yaml.Node
}

func parseDoc(data []byte) (*rbacDef, error) {
	if len(data) > MaxPolicySize {
		return nil, &PolicyError{Msg: fmt.Sprintf("document over %d bytes", MaxPolicySize), Err: ErrPolicy}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &PolicyError{Msg: err.Error(), Err: ErrPolicy}
	}
	def := newDef()
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return def, nil // empty document: empty policy
	}
	root := doc.Content[0]
	if err := checkMapping(root, "document"); err != nil {
		return nil, err
	}
	roles := map[string]*docRole{}
	var order []string
	var tenants *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "roles":
			if err := checkMapping(v, "roles"); err != nil {
				return nil, err
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				rk, rv := v.Content[j], v.Content[j+1]
				if err := checkRole(rk.Value); err != nil || rk.Kind != yaml.ScalarNode {
					return nil, perr(rk, "invalid role name %q", rk.Value)
				}
				r, err := parseRole(rk, rv)
				if err != nil {
					return nil, err
				}
				roles[rk.Value] = r
				order = append(order, rk.Value)
			}
		case "tenants":
			if err := checkMapping(v, "tenants"); err != nil {
				return nil, err
			}
			tenants = v
		default:
			return nil, perr(k, "unknown key %q (want roles or tenants)", k.Value)
		}
	}
	for _, name := range order {
		r := roles[name]
		perms := make([]string, 0, len(r.perms))
		for _, n := range r.perms {
			perms = append(perms, n.Value)
		}
		def.grant("", name, perms)
	}
	for _, name := range order {
		for _, n := range roles[name].inherits {
			if _, ok := roles[n.Value]; !ok {
				return nil, perr(n, "role %q inherits undefined role %q", name, n.Value)
			}
			if err := def.inherit(name, []string{n.Value}); err != nil {
				e := perr(n, "%v", err)
				e.(*PolicyError).Err = ErrPolicyCycle
				return nil, e
			}
		}
	}
	if tenants != nil {
		for i := 0; i+1 < len(tenants.Content); i += 2 {
			tk, tv := tenants.Content[i], tenants.Content[i+1]
			if tk.Kind != yaml.ScalarNode || tk.Value == "" {
				return nil, perr(tk, "invalid tenant name")
			}
			if err := checkMapping(tv, "tenant "+tk.Value); err != nil {
				return nil, err
			}
			for j := 0; j+1 < len(tv.Content); j += 2 {
				rk, rv := tv.Content[j], tv.Content[j+1]
				if _, ok := roles[rk.Value]; !ok {
					return nil, perr(rk, "tenant %q grants to undefined role %q", tk.Value, rk.Value)
				}
				perms, err := parsePerms(rv)
				if err != nil {
					return nil, err
				}
				list := make([]string, 0, len(perms))
				for _, n := range perms {
					list = append(list, n.Value)
				}
				def.grant(tk.Value, rk.Value, list)
			}
		}
	}
	return def, nil
}

func checkMapping(n *yaml.Node, what string) error {
	if n.Kind == yaml.AliasNode {
		return perr(n, "aliases are not allowed")
	}
	if n.Kind != yaml.MappingNode {
		return perr(n, "%s must be a mapping", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			return perr(k, "keys of %s must be strings", what)
		}
		if seen[k.Value] {
			return perr(k, "duplicate key %q in %s", k.Value, what)
		}
		seen[k.Value] = true
	}
	return nil
}

func parseRole(name, n *yaml.Node) (*docRole, error) {
	r := &docRole{node: name}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		return r, nil // a role with nothing (yet)
	}
	if err := checkMapping(n, "role "+name.Value); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "permissions":
			r.perms, err = parsePerms(v)
		case "inherits":
			r.inherits, err = parseList(v, "inherits")
			if err == nil {
				for _, p := range r.inherits {
					if e := checkRole(p.Value); e != nil {
						return nil, perr(p, "invalid role name %q", p.Value)
					}
				}
			}
		default:
			return nil, perr(k, "unknown key %q in role %q (want permissions or inherits)", k.Value, name.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func parseList(n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode {
		return nil, perr(n, "aliases are not allowed")
	}
	if n.Kind != yaml.SequenceNode {
		return nil, perr(n, "%s must be a list", what)
	}
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, perr(c, "%s must hold strings", what)
		}
	}
	return n.Content, nil
}

func parsePerms(n *yaml.Node) ([]*yaml.Node, error) {
	list, err := parseList(n, "permissions")
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if err := CheckPermission(c.Value); err != nil {
			var pe *PolicyError
			if errors.As(err, &pe) {
				return nil, err
			}
			return nil, perr(c, "%s", trimPrefix(err))
		}
	}
	return slices.Clip(list), nil
}

// trimPrefix drops the sentinel's text from a CheckPermission error.
func trimPrefix(err error) string {
	s := err.Error()
	p := ErrPolicy.Error() + ": "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
