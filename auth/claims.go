package auth

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the claims of an access token: the registered claims of RFC
// 7519 plus a tenant, roles, OAuth2 scopes and a free map. [Signer.Sign]
// fills Issuer, Audience, IssuedAt, ExpiresAt and ID when they are empty.
//
// Apps with claims of their own embed Claims in a struct of theirs and
// verify it with [VerifyAs]; Claims has no custom JSON methods, so embedding
// it keeps the outer struct's fields.
type Claims struct {
	Issuer    string           `json:"iss,omitempty"`
	Subject   string           `json:"sub,omitempty"`
	Audience  jwt.ClaimStrings `json:"aud,omitempty"`
	ExpiresAt *jwt.NumericDate `json:"exp,omitempty"`
	NotBefore *jwt.NumericDate `json:"nbf,omitempty"`
	IssuedAt  *jwt.NumericDate `json:"iat,omitempty"`
	ID        string           `json:"jti,omitempty"`

	// Tenant scopes the roles to one tenant (see [RBAC.GrantIn]).
	Tenant string `json:"tenant,omitempty"`
	// Roles are checked by [RBAC].
	Roles []string `json:"roles,omitempty"`
	// Scopes travel as the space-separated "scope" claim (RFC 8693 section
	// 4.2) and are checked by [RequireScope].
	Scopes Scopes `json:"scope,omitempty"`
	// Extra holds any other claims the app wants, under "ext".
	Extra map[string]any `json:"ext,omitempty"`
}

// GetExpirationTime implements jwt.Claims.
func (c Claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, nil }

// GetIssuedAt implements jwt.Claims.
func (c Claims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt, nil }

// GetNotBefore implements jwt.Claims.
func (c Claims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore, nil }

// GetIssuer implements jwt.Claims.
func (c Claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject implements jwt.Claims.
func (c Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims.
func (c Claims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, nil }

// base lets [MiddlewareAs] find the Claims embedded in an app's claim type.
func (c *Claims) base() *Claims { return c }

// TokenID returns the "jti" claim; the revocation check of [WithRevocation]
// reads it through this method.
func (c Claims) TokenID() string { return c.ID }

// HasRole reports whether role is among c.Roles.
func (c *Claims) HasRole(role string) bool { return c != nil && slices.Contains(c.Roles, role) }

// HasScope reports whether scope is among c.Scopes.
func (c *Claims) HasScope(scope string) bool { return c != nil && slices.Contains(c.Scopes, scope) }

// Scopes is a list of OAuth2 scopes. It is written as one space-separated
// JSON string and read from such a string or from an array of strings.
type Scopes []string

// MarshalJSON writes the scopes as one space-separated string.
func (s Scopes) MarshalJSON() ([]byte, error) { return json.Marshal(strings.Join(s, " ")) }

// UnmarshalJSON reads a space-separated string or an array of strings.
func (s *Scopes) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*s = list
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	*s = strings.Fields(str)
	return nil
}
