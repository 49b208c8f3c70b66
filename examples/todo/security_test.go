package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestHostileInput sends the attack table at the running binary: each
// request gets its expected 4xx and nothing else changes in the database.
func TestHostileInput(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pemOf(t, key)
	s := startServer(t, "JWT_SIGNING_KEY="+keyPEM, "CORS_ORIGINS=https://app.example.com", "API_RATE_PER_SECOND=100000")
	tk := s.signup("victim@example.com")

	sqlTitle := `Robert'); DROP TABLE todos;-- "quoted" \ back\slash ünïcødé 🐘`
	var stored todo
	s.expect("POST", "/v1/todos", tk.AccessToken, map[string]string{"title": sqlTitle}, 201).json(t, &stored)

	// snapshot is what the victim's data looks like; it must not change.
	snapshot := func() string {
		r := s.expect("GET", "/v1/todos?limit=100", tk.AccessToken, nil, 200)
		return string(r.body)
	}
	before := snapshot()
	if !strings.Contains(before, `DROP TABLE todos;--`) {
		t.Fatalf("SQL-looking title did not come back intact: %s", before)
	}

	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	sign := func(method jwt.SigningMethod, k any, kid string, edit func(jwt.MapClaims)) string {
		c := jwt.MapClaims{"iss": "todo", "aud": []string{"todo"}, "sub": "1", "roles": []string{"admin"},
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
		if edit != nil {
			edit(c)
		}
		tok := jwt.NewWithClaims(method, c)
		tok.Header["kid"] = kid
		out, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b64 := base64.RawURLEncoding.EncodeToString
	valid := strings.Split(sign(jwt.SigningMethodES256, key, "todo-1", nil), ".")
	attackTokens := map[string]string{
		"alg none":              b64([]byte(`{"alg":"none","typ":"JWT","kid":"todo-1"}`)) + "." + valid[1] + ".",
		"hs256 with public key": sign(jwt.SigningMethodHS256, pubPEM, "todo-1", nil),
		"unknown kid":           sign(jwt.SigningMethodES256, key, "nope", nil),
		"wrong key":             sign(jwt.SigningMethodES256, otherKey, "todo-1", nil),
		"expired":               sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }),
		"not yet valid":         sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }),
		"no exp":                sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { delete(c, "exp") }),
		"wrong issuer":          sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { c["iss"] = "evil" }),
		"wrong audience":        sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { c["aud"] = "other" }),
		"tampered":              valid[0] + "." + b64([]byte(`{"iss":"todo","aud":["todo"],"sub":"1","roles":["admin"],"exp":9999999999}`)) + "." + valid[2],
		"oversized":             sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 20000) }),
		"garbage":               "%%%.###.!!!",
	}
	for name, tok := range attackTokens {
		t.Run("token/"+name, func(t *testing.T) {
			r := s.do("GET", "/v1/todos", tok, nil)
			if r.status != 401 || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("status %d, WWW-Authenticate %q: %s", r.status, r.header.Get("WWW-Authenticate"), r.body)
			}
			r = s.do("DELETE", fmt.Sprintf("/v1/todos/%d", stored.ID), tok, nil)
			if r.status != 401 {
				t.Fatalf("DELETE with attack token: %d", r.status)
			}
		})
	}
	// The real key works, to show the table is not rejecting everything.
	s.expect("GET", "/v1/todos", sign(jwt.SigningMethodES256, key, "todo-1", func(c jwt.MapClaims) { c["sub"] = "999" }), nil, 200)

	nested := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	requests := []struct {
		name, method, path, ctype, body string
		status                          int
	}{
		{"oversized body", "POST", "/v1/todos", "application/json", `{"title":"` + strings.Repeat("a", 70<<10) + `"}`, 413},
		{"deep nesting", "POST", "/v1/todos", "application/json", nested, 413},
		{"deep nesting small", "POST", "/v1/todos", "application/json", strings.Repeat("[", 10000) + strings.Repeat("]", 10000), 400},
		{"wrong content type", "POST", "/v1/todos", "text/plain", `{"title":"x"}`, 415},
		{"form content type", "POST", "/v1/todos", "application/x-www-form-urlencoded", `title=x`, 415},
		{"unknown field", "POST", "/v1/todos", "application/json", `{"title":"x","user_id":1}`, 400},
		{"sql in done filter", "GET", "/v1/todos?done=true%27%20OR%201%3D1--", "", "", 400},
		{"sql in cursor", "GET", "/v1/todos?cursor=1%20OR%201%3D1", "", "", 400},
		{"sql in limit", "GET", "/v1/todos?limit=1;DROP%20TABLE%20todos", "", "", 400},
		{"traversal id", "GET", "/v1/todos/..%2F..%2Fusers", "", "", 404},
		{"sql id", "GET", "/v1/todos/1%20OR%201=1", "", "", 404},
		{"negative id", "DELETE", "/v1/todos/-1", "", "", 404},
		{"huge id", "PATCH", "/v1/todos/99999999999999999999999", "application/json", `{"done":true}`, 404},
	}
	for _, c := range requests {
		t.Run("request/"+c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, s.base+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("status %d (%s), want %d problem", resp.StatusCode, resp.Header.Get("Content-Type"), c.status)
			}
		})
	}

	t.Run("cors/unlisted origin", func(t *testing.T) {
		for _, method := range []string{"OPTIONS", "POST"} {
			req, _ := http.NewRequest(method, s.base+"/v1/todos", strings.NewReader(`{"title":"csrf"}`))
			req.Header.Set("Origin", "https://evil.example.net")
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
			if method == "POST" {
				req.Header.Del("Access-Control-Request-Method")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Fatalf("%s from unlisted origin: %d, ACAO %q", method, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	})

	t.Run("header injection", func(t *testing.T) {
		// Raw TCP: Go's client refuses to send these headers at all.
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /v1/todos HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc\rSet-Cookie: pwned=1\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", tk.AccessToken)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("status %d, Set-Cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
		}
		// A well-formed but hostile request ID is replaced, not echoed.
		req, _ := http.NewRequest("GET", s.base+"/v1/todos", nil)
		req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
		req.Header.Set("X-Request-ID", "<script>alert(1)</script>")
		r2, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = r2.Body.Close()
		if id := r2.Header.Get("X-Request-ID"); id == "" || strings.ContainsAny(id, "<>()") {
			t.Fatalf("request ID echoed: %q", id)
		}
	})

	if after := snapshot(); after != before {
		t.Fatalf("data changed by the attacks:\nbefore %s\nafter  %s", before, after)
	}
}

// pemOf encodes a private key as PKCS#8 PEM.
func pemOf(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// testKeyPEM returns a new ES256 signing key as PEM.
func testKeyPEM(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf(t, key)
}
