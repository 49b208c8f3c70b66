package auth

import (
	"math"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// claimsWire is what [Verifier.Verify] decodes a payload into: [Claims]
// with plain JSON types for the times and the audience. jwt.NumericDate and
// jwt.ClaimStrings each run a nested json.Unmarshal per field, which made
// verification measurably slower than a bare golang-jwt Parse into a map.
// [claimsWire.claims] converts the result; it equals what decoding into
// Claims directly gives (see FuzzWireClaims).
type claimsWire struct {
	Issuer    string         `json:"iss"`
	Subject   string         `json:"sub"`
	Audience  any            `json:"aud"`
	ExpiresAt *float64       `json:"exp"`
	NotBefore *float64       `json:"nbf"`
	IssuedAt  *float64       `json:"iat"`
	ID        string         `json:"jti"`
	Tenant    string         `json:"tenant"`
	Roles     []string       `json:"roles"`
	Scopes    Scopes         `json:"scope"`
	Extra     map[string]any `json:"ext"`
}

// claims converts w, failing on an "aud" that is neither a string nor an
// array of strings.
func (w *claimsWire) claims() (*Claims, error) {
	aud, err := w.GetAudience()
	if err != nil {
		return nil, err
	}
	return &Claims{
		Issuer: w.Issuer, Subject: w.Subject, Audience: aud, ID: w.ID,
		ExpiresAt: numericDate(w.ExpiresAt), NotBefore: numericDate(w.NotBefore), IssuedAt: numericDate(w.IssuedAt),
		Tenant: w.Tenant, Roles: w.Roles, Scopes: w.Scopes, Extra: w.Extra,
	}, nil
}

// numericDate converts seconds since the epoch as golang-jwt does.
func numericDate(f *float64) *jwt.NumericDate {
	if f == nil {
		return nil
	}
	whole, frac := math.Modf(*f)
	return jwt.NewNumericDate(time.Unix(int64(whole), int64(frac*1e9)))
}

func (w *claimsWire) GetExpirationTime() (*jwt.NumericDate, error) {
	return numericDate(w.ExpiresAt), nil
}
func (w *claimsWire) GetIssuedAt() (*jwt.NumericDate, error)  { return numericDate(w.IssuedAt), nil }
func (w *claimsWire) GetNotBefore() (*jwt.NumericDate, error) { return numericDate(w.NotBefore), nil }
func (w *claimsWire) GetIssuer() (string, error)              { return w.Issuer, nil }
func (w *claimsWire) GetSubject() (string, error)             { return w.Subject, nil }
func (w *claimsWire) TokenID() string                         { return w.ID }

// GetAudience converts "aud" as jwt.ClaimStrings does.
func (w *claimsWire) GetAudience() (jwt.ClaimStrings, error) {
	switch v := w.Audience.(type) {
	case nil:
		return nil, nil
	case string:
		return jwt.ClaimStrings{v}, nil
	case []any:
		var aud jwt.ClaimStrings
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, jwt.ErrInvalidType
			}
			aud = append(aud, s)
		}
		return aud, nil
	default:
		return nil, jwt.ErrInvalidType
	}
}
