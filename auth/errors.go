package auth

import "errors"

// Errors returned when a token is rejected. [Verifier.Verify] and
// [VerifyAs] wrap exactly one of them in a [*TokenError], so
// errors.Is(err, auth.ErrTokenExpired) tells the failures apart and
// errors.As(err, new(*auth.TokenError)) tells a rejected token from an
// infrastructure failure.
var (
	// ErrTokenMalformed: the token is not a well-formed compact JWS
	// (wrong number of segments, bad base64url, bad JSON).
	ErrTokenMalformed = errors.New("auth: token malformed")
	// ErrTokenTooLarge: the token is longer than the Verifier's
	// maximum size (see [WithMaxTokenSize]). It is rejected unparsed.
	ErrTokenTooLarge = errors.New("auth: token too large")
	// ErrAlgorithm: the token's "alg" is not in the Verifier's allow-list,
	// is "none", is unknown, or does not match the type of the key its
	// "kid" names (the HS256-signed-with-an-RSA-public-key confusion).
	ErrAlgorithm = errors.New("auth: token algorithm not allowed")
	// ErrUnknownKey: the token has no "kid", or its "kid" is not in the key
	// set (never was, or was removed).
	ErrUnknownKey = errors.New("auth: unknown signing key")
	// ErrTokenInvalid: the signature does not verify, or the claims are
	// invalid in a way no more specific error covers (such as a missing
	// "exp").
	ErrTokenInvalid = errors.New("auth: token invalid")
	// ErrTokenExpired: "exp" is in the past, beyond the leeway.
	ErrTokenExpired = errors.New("auth: token expired")
	// ErrTokenNotYetValid: "nbf" or "iat" is in the future, beyond the leeway.
	ErrTokenNotYetValid = errors.New("auth: token not yet valid")
	// ErrIssuer: "iss" is not the issuer set by [WithIssuer].
	ErrIssuer = errors.New("auth: token issuer not accepted")
	// ErrAudience: "aud" does not contain the audience set by [WithAudience].
	ErrAudience = errors.New("auth: token audience not accepted")
	// ErrTokenRevoked: the token's "jti" is on the revocation list (see
	// [WithRevocation]), or a refresh token or session was revoked.
	ErrTokenRevoked = errors.New("auth: token revoked")
	// ErrTokenReused: a refresh token was presented a second time. Its whole
	// family has been revoked (see [RefreshTokens.Rotate]).
	ErrTokenReused = errors.New("auth: refresh token reused")
)

// Errors about keys and configuration.
var (
	// ErrWeakKey: an HMAC secret shorter than 32 bytes, or an RSA key
	// shorter than 2048 bits.
	ErrWeakKey = errors.New("auth: key too weak")
	// ErrKeyFormat: a PEM block, JWK or environment value could not be
	// turned into a supported key.
	ErrKeyFormat = errors.New("auth: unsupported key format")
	// ErrDuplicateKey: [KeySet.Add] was given a key ID that is already in
	// the set.
	ErrDuplicateKey = errors.New("auth: duplicate key id")
	// ErrNotSigningKey: [NewSigner] was given a public key.
	ErrNotSigningKey = errors.New("auth: key cannot sign")
	// ErrKeysUnavailable: a [RemoteKeySet] has no usable keys: it never
	// fetched any, or the last good fetch is older than the stale limit
	// (see [WithMaxStale]). Not a [*TokenError]: the middleware answers 503.
	ErrKeysUnavailable = errors.New("auth: signing keys unavailable")
	// ErrConfig: an option was given an invalid value, or an option was
	// given to a constructor it does not apply to.
	ErrConfig = errors.New("auth: invalid configuration")
)

// Errors about passwords.
var (
	// ErrPasswordMismatch: [VerifyPassword] found that the password does
	// not match the hash.
	ErrPasswordMismatch = errors.New("auth: password mismatch")
	// ErrHashFormat: [VerifyPassword] was given a hash that is neither an
	// argon2id PHC string nor a bcrypt hash, or has bad parameters.
	ErrHashFormat = errors.New("auth: unsupported password hash")
	// ErrPasswordTooLong: the password is longer than [MaxPasswordLength].
	ErrPasswordTooLong = errors.New("auth: password too long")
)

// Errors about policies.
var (
	// ErrPolicyCycle: [RBAC.Inherit] or a policy document would make a role
	// inherit from itself.
	ErrPolicyCycle = errors.New("auth: role inheritance cycle")
	// ErrPolicy: a policy document or a Grant is invalid. A [*PolicyError]
	// carries the line.
	ErrPolicy = errors.New("auth: invalid policy")
)

// Errors from token stores.
var (
	// ErrTokenNotFound: a [TokenStore] has no token with that hash (never
	// issued, or expired and swept). Managers report it as ErrTokenInvalid.
	ErrTokenNotFound = errors.New("auth: token not found")
)

// TokenError is a rejected token. Sentinel is one of the ErrToken*/Err*
// values above; Err is the underlying cause, if any. errors.Is matches both.
type TokenError struct {
	// Sentinel is the kind of rejection, such as [ErrTokenExpired].
	Sentinel error
	// Err is the cause, often from github.com/golang-jwt/jwt/v5. It may be nil.
	Err error
}

// Error returns the sentinel's text and the cause.
func (e *TokenError) Error() string {
	if e.Err == nil {
		return e.Sentinel.Error()
	}
	return e.Sentinel.Error() + ": " + e.Err.Error()
}

// Unwrap returns the sentinel and the cause.
func (e *TokenError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Sentinel}
	}
	return []error{e.Sentinel, e.Err}
}

func tokenErr(sentinel, cause error) error { return &TokenError{Sentinel: sentinel, Err: cause} }
