// Package auth answers "who is calling" and "may they do this", safely by
// default: JWT access tokens with key rotation and JWKS, HTTP middleware,
// RBAC and ABAC policies, password hashing, refresh tokens and cookie
// sessions.
//
// # Keys and rotation
//
// A [Key] has an ID ("kid") and exactly one algorithm ([HS256], [RS256],
// [ES256], [EdDSA]). Build keys with [NewHMACKey] (secrets under 32 bytes
// are refused), [NewKey], [GenerateKey], [ParseKey] (PEM or JWK),
// [LoadKeyFile] or [KeyFromEnv]. A [KeySet] holds the keys a [Verifier]
// accepts; to rotate, add the new key, publish it ([JWKSHandler]), switch
// the [Signer] with [Signer.SetKey], and remove the old key once its
// tokens have expired.
//
// # Tokens
//
// [NewSigner] issues tokens for [Claims] (registered claims plus tenant,
// roles, scopes and a free map). [NewVerifier] checks them against an
// algorithm allow-list set by configuration, never by the token, and picks
// the key by "kid" and refuses a token whose "alg" is not that key's
// algorithm: "alg: none" and HS256 signed with an RSA public key fail with
// [ErrAlgorithm]. "exp" is required; "nbf"/"iat" are checked with a small
// leeway; issuer, audience and size are checked when configured; a
// revocation list of "jti" values can be consulted ([WithRevocation]).
// Every rejection is a [*TokenError] wrapping a distinct sentinel
// ([ErrTokenExpired], [ErrUnknownKey], ...). Apps with their own claim
// struct use [VerifyAs].
//
// Tokens from another issuer verify with a [RemoteKeySet] ([NewRemoteKeySet]
// for a JWKS URL, [DiscoverOIDC] for an OpenID Connect issuer): keys are
// cached, refreshed by [RemoteKeySet.Run], refetched on an unknown "kid" at
// most once per minute, and used for a bounded time while the issuer is
// down.
//
// # HTTP
//
// [Middleware] reads a bearer token (or a cookie), verifies it and puts
// the claims in the request context ([ClaimsFrom]); failures are 401
// application/problem+json with an RFC 6750 WWW-Authenticate challenge.
// [RequireScope] checks OAuth2 scopes, [Require] a [Policy] permission
// (403 when denied). [Sessions] is the cookie-session alternative for
// server-rendered apps.
//
// # Policies
//
// [RBAC] grants permissions ("todos:write", wildcards "todos:*" and "*")
// to roles, with inheritance (cycles refused when defined) and per-tenant
// grants. Checks ([RBAC.Allowed]) are lock-free and allocation-free over
// tables precomputed when the policy changes. Policies are built in Go or
// read from YAML/JSON documents ([ParsePolicy]) whose errors name the
// line. [ABAC] adds rules on attributes of the subject, resource and
// environment; every [Policy] answers with a [Decision] that says why.
//
// # Passwords, refresh tokens and sessions
//
// [HashPassword] and [VerifyPassword] use argon2id in PHC format with the
// OWASP parameters, verify legacy bcrypt hashes and report when a hash
// should be upgraded. [RefreshTokens] issues opaque refresh tokens, stored
// hashed in a [TokenStore] ([MemoryTokenStore], [RedisTokenStore]),
// rotated on every use; reusing one revokes its whole family. The
// auth/authtest package checks any TokenStore against the contract.
//
// # Options
//
// Constructors take one [Option] type; options that make sense for several
// constructors ([WithClock], [WithTTL], [WithIssuer], [WithLogger],
// [WithMetrics], ...) work with each. An invalid value, or an option given
// to a constructor it does not apply to, is an error wrapping [ErrConfig]
// (a panic with an "auth: " message for the middleware constructors, which
// run at wiring time).
//
// # Concurrency and lifecycle
//
// Everything here is safe for concurrent use. The only background work is
// [RemoteKeySet.Run], which stops when its context is done.
package auth
