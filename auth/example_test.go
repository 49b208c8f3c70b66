package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gokeel/keel/auth"
)

func Example() {
	// Keys carry an ID; the verifier's key set may hold several (rotation).
	key, err := auth.NewHMACKey("2026-03", []byte("a secret of at least thirty-two bytes"))
	if err != nil {
		panic(err)
	}
	keys, _ := auth.NewKeySet(key)

	signer, _ := auth.NewSigner(key, auth.WithIssuer("https://todo.example"), auth.WithTTL(15*time.Minute))
	verifier, _ := auth.NewVerifier(keys, auth.WithIssuer("https://todo.example"))

	token, _ := signer.Sign(auth.Claims{Subject: "u1", Roles: []string{"editor"}})
	claims, err := verifier.Verify(context.Background(), token)
	fmt.Println(claims.Subject, claims.Roles, err)

	_, err = verifier.Verify(context.Background(), token+"x")
	fmt.Println(errors.Is(err, auth.ErrTokenInvalid))
	// Output:
	// u1 [editor] <nil>
	// true
}

func ExampleMiddleware() {
	key, _ := auth.GenerateKey("k1", auth.ES256)
	keys, _ := auth.NewKeySet(key)
	signer, _ := auth.NewSigner(key)
	verifier, _ := auth.NewVerifier(keys)

	policy := auth.NewRBAC()
	_ = policy.Grant("editor", "todos:write")

	mux := http.NewServeMux()
	mux.Handle("POST /todos", auth.Require(policy, "todos:write")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "created by %s", auth.ClaimsFrom(r.Context()).Subject)
		})))
	h := auth.Middleware(verifier)(mux)

	call := func(token string) {
		req := httptest.NewRequest(http.MethodPost, "/todos", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if c := rec.Header().Get("WWW-Authenticate"); c != "" {
			fmt.Println(rec.Code, c)
			return
		}
		fmt.Println(rec.Code)
	}
	editor, _ := signer.Sign(auth.Claims{Subject: "u1", Roles: []string{"editor"}})
	viewer, _ := signer.Sign(auth.Claims{Subject: "u2", Roles: []string{"viewer"}})
	call(editor)
	call(viewer)
	call("")
	call("garbage")
	// Output:
	// 200
	// 403
	// 401 Bearer
	// 401 Bearer error="invalid_token", error_description="The token is malformed"
}

func ExampleRBAC() {
	p := auth.NewRBAC()
	_ = p.Grant("viewer", "todos:read")
	_ = p.Grant("editor", "todos:*")
	_ = p.Inherit("editor", "viewer")
	_ = p.Inherit("admin", "editor")
	_ = p.GrantIn("acme", "admin", "billing:read")

	fmt.Println(p.Allowed([]string{"viewer"}, "", "todos:write"))
	fmt.Println(p.Allowed([]string{"admin"}, "", "todos:write"))
	fmt.Println(p.Allowed([]string{"admin"}, "acme", "billing:read"))
	fmt.Println(p.Explain([]string{"admin"}, "", "todos:delete"))
	fmt.Println(p.Inherit("viewer", "admin"))
	// Output:
	// false
	// true
	// true
	// allowed "todos:delete": role "admin" grants "todos:*" (inherited from "editor")
	// auth: role inheritance cycle: viewer inherits admin inherits editor inherits viewer
}

func ExampleParsePolicy() {
	_, err := auth.ParsePolicy([]byte(`
roles:
  viewer:
    permissions: [todos:read]
  editor:
    inherits: [viewr]
`))
	fmt.Println(err)
	// Output:
	// auth: policy line 6: role "editor" inherits undefined role "viewr"
}

func ExampleNewABAC() {
	rbac := auth.NewRBAC()
	_ = rbac.Grant("editor", "todos:write")
	policy, _ := auth.NewABAC(rbac,
		auth.Rule{Name: "owner-may-edit", Effect: auth.Allow, Permissions: []string{"todos:write"},
			When: auth.IsOwner("owner")},
		auth.Rule{Name: "office-hours", Effect: auth.Deny, Permissions: []string{"todos:*"},
			When: auth.Not(auth.BusinessHours(8, 18, time.UTC))},
	)
	wednesday10 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	alice := &auth.Claims{Subject: "alice", Roles: []string{"viewer"}}
	for _, req := range []*auth.AccessRequest{
		{Subject: alice, Permission: "todos:write", Resource: auth.Attributes{"owner": "alice"}, Time: wednesday10},
		{Subject: alice, Permission: "todos:write", Resource: auth.Attributes{"owner": "bob"}, Time: wednesday10},
		{Subject: alice, Permission: "todos:write", Resource: auth.Attributes{"owner": "alice"}, Time: wednesday10.Add(10 * time.Hour)},
	} {
		fmt.Println(policy.Decide(context.Background(), req))
	}
	// Output:
	// allowed "todos:write": rule "owner-may-edit"
	// denied "todos:write": no role or rule grants it
	// denied "todos:write": rule "office-hours"
}

func ExampleHashPassword() {
	hash, _ := auth.HashPassword("correct horse battery staple")
	fmt.Println(hash[:31])

	needsRehash, err := auth.VerifyPassword("correct horse battery staple", hash)
	fmt.Println(needsRehash, err)
	_, err = auth.VerifyPassword("Tr0ub4dor&3", hash)
	fmt.Println(err)
	// Output:
	// $argon2id$v=19$m=19456,t=2,p=1$
	// false <nil>
	// auth: password mismatch
}

func ExampleRefreshTokens() {
	store, _ := auth.NewMemoryTokenStore() // auth.NewRedisTokenStore for several instances
	refresh, _ := auth.NewRefreshTokens(store, auth.WithTTL(30*24*time.Hour))
	ctx := context.Background()

	rt1, _ := refresh.Issue(ctx, auth.Claims{Subject: "u1", Roles: []string{"editor"}})
	rt2, claims, err := refresh.Rotate(ctx, rt1) // sign a new access token with claims
	fmt.Println(claims.Subject, err)

	_, _, err = refresh.Rotate(ctx, rt1) // rt1 was stolen and replayed
	fmt.Println(err)
	_, _, err = refresh.Rotate(ctx, rt2) // the whole family is revoked
	fmt.Println(err)
	// Output:
	// u1 <nil>
	// auth: refresh token reused
	// auth: token revoked
}

func ExampleJWKSHandler() {
	k1, _ := auth.GenerateKey("2026-01", auth.ES256)
	k2, _ := auth.GenerateKey("2026-02", auth.EdDSA)
	hmacKey, _ := auth.GenerateKey("internal", auth.HS256)
	keys, _ := auth.NewKeySet(k1, k2, hmacKey)

	rec := httptest.NewRecorder()
	auth.JWKSHandler(keys).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil))
	set, _, _ := auth.ParseJWKS(rec.Body.Bytes())
	for _, k := range set {
		fmt.Println(k.ID(), k.Algorithm(), k.CanSign())
	}
	// Output:
	// 2026-01 ES256 false
	// 2026-02 EdDSA false
}

func ExampleSessions() {
	store, _ := auth.NewMemoryTokenStore()
	sessions, _ := auth.NewSessions(store, auth.WithCookie("sid"))

	// At login:
	rec := httptest.NewRecorder()
	_ = sessions.Create(context.Background(), rec, auth.Claims{Subject: "u1", Roles: []string{"editor"}})
	cookie := rec.Result().Cookies()[0]
	fmt.Println(cookie.Name, cookie.Secure, cookie.HttpOnly, cookie.SameSite == http.SameSiteLaxMode)

	// On later requests:
	h := sessions.Middleware(false)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("hello", auth.ClaimsFrom(r.Context()).Subject)
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(cookie)
	h.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// sid true true true
	// hello u1
}

func ExampleRemoteKeySet() {
	// An identity provider publishes its public keys...
	idpKey, _ := auth.GenerateKey("idp-1", auth.RS256)
	idpKeys, _ := auth.NewKeySet(idpKey)
	idp := httptest.NewServer(auth.JWKSHandler(idpKeys))
	defer idp.Close()
	idpSigner, _ := auth.NewSigner(idpKey, auth.WithIssuer("https://idp.example"))

	// ...and a service verifies its tokens through them.
	remote, _ := auth.NewRemoteKeySet(idp.URL, auth.WithRefreshInterval(10*time.Minute))
	verifier, _ := auth.NewVerifier(remote, auth.WithIssuer("https://idp.example"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- remote.Run(ctx) }() // background refresh

	token, _ := idpSigner.Sign(auth.Claims{Subject: "u1"})
	claims, err := verifier.Verify(context.Background(), token)
	fmt.Println(claims.Subject, err)

	cancel()
	fmt.Println(<-done)
	// Output:
	// u1 <nil>
	// <nil>
}
