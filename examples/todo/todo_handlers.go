package main

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/cache"
	"github.com/gokeel/keel/httpx"
)

// todoAPI serves /v1/todos.
type todoAPI struct {
	store  *store
	cache  *cache.Cache[todoRow]
	policy auth.Policy
}

// todoJSON is a todo as clients see it.
type todoJSON struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Done      bool      `json:"done"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toJSON(t todoRow) todoJSON {
	return todoJSON{ID: t.ID, Title: t.Title, Done: t.Done, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

type createTodo struct {
	Title string `json:"title" validate:"required,min=1,max=200"`
}

type patchTodo struct {
	Title *string `json:"title" validate:"omitnil,min=1,max=200"`
	Done  *bool   `json:"done"`
}

type todoPage struct {
	Items      []todoJSON `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

var errNoTodo = &httpx.Error{Status: http.StatusNotFound, Detail: "No such todo."}

// userID returns the caller's user id from the verified access token.
func userID(r *http.Request) (int64, error) {
	c := auth.ClaimsFrom(r.Context())
	if c == nil {
		return 0, &httpx.Error{Status: http.StatusUnauthorized}
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return 0, &httpx.Error{Status: http.StatusUnauthorized, Detail: "The token's subject is not a user."}
	}
	return id, nil
}

// allowed asks the policy whether the caller may do perm to t: admins may
// (RBAC), owners may (the ABAC ownership rule).
func (a *todoAPI) allowed(r *http.Request, perm string, t *todoRow) bool {
	req := &auth.AccessRequest{Subject: auth.ClaimsFrom(r.Context()), Permission: perm, Time: time.Now()}
	if t != nil {
		req.Resource = t.attributes()
	}
	return a.policy.Decide(r.Context(), req).Allowed
}

// parseID accepts only plain positive decimal ids; anything else ("../x",
// "+1", "1e3") is simply not a todo.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func cacheKey(id int64) string { return "todo:" + strconv.FormatInt(id, 10) }

// load returns the todo named in the path if the caller may do perm to it.
// Another user's todo is reported as missing, not forbidden, so ids do not
// leak whose they are.
func (a *todoAPI) load(r *http.Request, perm string) (todoRow, error) {
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		return todoRow{}, errNoTodo
	}
	t, err := a.cache.GetOrLoad(r.Context(), cacheKey(id), func(ctx context.Context) (todoRow, error) {
		t, err := a.store.todo(ctx, id)
		if errors.Is(err, errNotFound) {
			return t, cache.ErrNotFound
		}
		t.attrs = t.attributes() // cached with the todo: no map per request
		return t, err
	})
	if errors.Is(err, cache.ErrNotFound) {
		return t, errNoTodo
	}
	if err != nil {
		return t, err
	}
	if !a.allowed(r, perm, &t) {
		return t, errNoTodo
	}
	return t, nil
}

func (a *todoAPI) create(w http.ResponseWriter, r *http.Request) error {
	uid, err := userID(r)
	if err != nil {
		return err
	}
	in, err := httpx.Decode[createTodo](r)
	if err != nil {
		return err
	}
	t, err := a.store.createTodo(r.Context(), uid, in.Title)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/todos/"+strconv.FormatInt(t.ID, 10))
	return httpx.JSON(w, http.StatusCreated, toJSON(t))
}

func (a *todoAPI) get(w http.ResponseWriter, r *http.Request) error {
	t, err := a.load(r, "todos:read")
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, toJSON(t))
}

func (a *todoAPI) list(w http.ResponseWriter, r *http.Request) error {
	uid, err := userID(r)
	if err != nil {
		return err
	}
	f := listFilter{UserID: uid, Limit: 20}
	if a.allowed(r, "todos:read", nil) { // admins see every user's todos
		f.UserID = 0
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &httpx.Error{Status: http.StatusBadRequest, Detail: "Malformed query string."}
	}
	var bad []httpx.FieldError
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad = append(bad, httpx.FieldError{Field: "limit", Rule: "range", Param: "1-100", Detail: "must be a number from 1 to 100"})
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		after, ok := decodeCursor(v)
		if !ok {
			bad = append(bad, httpx.FieldError{Field: "cursor", Rule: "cursor", Detail: "is not a cursor from a previous page"})
		}
		f.After = after
	}
	if v := q.Get("done"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad = append(bad, httpx.FieldError{Field: "done", Rule: "boolean", Detail: "must be true or false"})
		}
		f.Done = &b
	}
	if len(bad) > 0 {
		return &httpx.Error{Status: http.StatusBadRequest, Detail: "Invalid query parameters.", Fields: bad}
	}
	rows, more, err := a.store.listTodos(r.Context(), f)
	if err != nil {
		return err
	}
	page := todoPage{Items: make([]todoJSON, 0, len(rows))}
	for _, t := range rows {
		page.Items = append(page.Items, toJSON(t))
	}
	if more {
		c := encodeCursor(rows[len(rows)-1].ID)
		page.NextCursor = &c
	}
	return httpx.JSON(w, http.StatusOK, page)
}

func (a *todoAPI) patch(w http.ResponseWriter, r *http.Request) error {
	in, err := httpx.Decode[patchTodo](r)
	if err != nil {
		return err
	}
	t, err := a.load(r, "todos:update")
	if err != nil {
		return err
	}
	// Write the database first, then drop the cached copy (cache.WriteInvalidate).
	var updated todoRow
	err = a.cache.WriteInvalidate(r.Context(), cacheKey(t.ID), func(ctx context.Context) error {
		var err error
		updated, err = a.store.updateTodo(ctx, t.ID, todoPatch(in))
		return err
	})
	if errors.Is(err, errNotFound) {
		return errNoTodo
	}
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, toJSON(updated))
}

func (a *todoAPI) delete(w http.ResponseWriter, r *http.Request) error {
	t, err := a.load(r, "todos:delete")
	if err != nil {
		return err
	}
	err = a.cache.WriteInvalidate(r.Context(), cacheKey(t.ID), func(ctx context.Context) error {
		return a.store.deleteTodo(ctx, t.ID)
	})
	if errors.Is(err, errNotFound) {
		return errNoTodo
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	return parseID(string(b))
}
