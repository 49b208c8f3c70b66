package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/httpx"
	"github.com/gokeel/keel/observability"
	"go.uber.org/zap"
)

// authAPI serves /v1/auth: registration, login, refresh and logout.
type authAPI struct {
	store       *store
	signer      *auth.Signer
	refresh     *auth.RefreshTokens
	adminEmails map[string]bool
	accessTTL   time.Duration
	// dummyHash is verified when an email is unknown, so that a login
	// takes as long whether or not the account exists.
	dummyHash string
}

type credentials struct {
	Email    string `json:"email" validate:"required,email,max=254"`
	Password string `json:"password" validate:"required,min=8,max=1024"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"required,max=512"`
}

// tokenResponse is the RFC 6749 section 5.1 token response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

type userResponse struct {
	ID    int64    `json:"id"`
	Email string   `json:"email"`
	Roles []string `json:"roles"`
}

var errBadCredentials = &httpx.Error{Status: http.StatusUnauthorized, Detail: "Invalid email or password."}

func (a *authAPI) register(w http.ResponseWriter, r *http.Request) error {
	in, err := httpx.Decode[credentials](r)
	if err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return err
	}
	roles := []string{"user"}
	if a.adminEmails[email] {
		roles = append(roles, "admin")
	}
	u, err := a.store.createUser(r.Context(), email, hash, roles)
	if errors.Is(err, errEmailTaken) {
		return &httpx.Error{Status: http.StatusConflict, Detail: "This email is already registered.",
			Fields: []httpx.FieldError{{Field: "email", Rule: "unique"}}}
	}
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, userResponse{ID: u.ID, Email: u.Email, Roles: u.roleList()})
}

func (a *authAPI) login(w http.ResponseWriter, r *http.Request) error {
	in, err := httpx.Decode[credentials](r)
	if err != nil {
		return err
	}
	u, err := a.store.userByEmail(r.Context(), strings.ToLower(strings.TrimSpace(in.Email)))
	if errors.Is(err, errNotFound) {
		_, _ = auth.VerifyPassword(in.Password, a.dummyHash)
		return errBadCredentials
	}
	if err != nil {
		return err
	}
	rehash, err := auth.VerifyPassword(in.Password, u.PasswordHash)
	if err != nil {
		return errBadCredentials
	}
	if rehash {
		if h, err := auth.HashPassword(in.Password); err == nil {
			if err := a.store.updatePasswordHash(r.Context(), u.ID, h); err != nil {
				observability.Logger(r.Context()).Warn("password rehash failed", zap.Error(err))
			}
		}
	}
	claims := auth.Claims{Subject: strconv.FormatInt(u.ID, 10), Roles: u.roleList()}
	refresh, err := a.refresh.Issue(r.Context(), claims)
	if err != nil {
		return err
	}
	return a.respondTokens(w, claims, refresh)
}

func (a *authAPI) refreshTokens(w http.ResponseWriter, r *http.Request) error {
	in, err := httpx.Decode[refreshRequest](r)
	if err != nil {
		return err
	}
	next, claims, err := a.refresh.Rotate(r.Context(), in.RefreshToken)
	if err != nil {
		if errors.Is(err, auth.ErrTokenReused) {
			observability.Logger(r.Context()).Warn("refresh token reused: family revoked")
		}
		if isTokenError(err) {
			return &httpx.Error{Status: http.StatusUnauthorized, Detail: "The refresh token is invalid, expired or revoked."}
		}
		return err
	}
	return a.respondTokens(w, *claims, next)
}

func (a *authAPI) logout(w http.ResponseWriter, r *http.Request) error {
	in, err := httpx.Decode[refreshRequest](r)
	if err != nil {
		return err
	}
	if err := a.refresh.Revoke(r.Context(), in.RefreshToken); err != nil && !isTokenError(err) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *authAPI) respondTokens(w http.ResponseWriter, c auth.Claims, refresh string) error {
	c.ExpiresAt, c.IssuedAt, c.ID = nil, nil, "" // fresh ones for every access token
	access, err := a.signer.Sign(c)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusOK, tokenResponse{
		AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(a.accessTTL / time.Second),
	})
}

func isTokenError(err error) bool {
	for _, e := range []error{auth.ErrTokenNotFound, auth.ErrTokenExpired, auth.ErrTokenRevoked, auth.ErrTokenReused, auth.ErrTokenMalformed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
