package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gokeel/keel/auth"
	"github.com/gokeel/keel/db"
	"github.com/jmoiron/sqlx"
)

// Errors of the store, mapped to HTTP statuses by the handlers.
var (
	errNotFound   = errors.New("not found")
	errEmailTaken = errors.New("email taken")
)

// user is a row of users.
type user struct {
	ID           int64     `db:"id"`
	Email        string    `db:"email"`
	PasswordHash string    `db:"password_hash"`
	Roles        string    `db:"roles"` // comma-separated
	CreatedAt    time.Time `db:"created_at"`
}

func (u user) roleList() []string { return strings.Split(u.Roles, ",") }

// todoRow is a row of todos. It is also what the cache holds, so the owner
// travels with the todo for the ownership check.
type todoRow struct {
	ID        int64     `db:"id" json:"id"`
	UserID    int64     `db:"user_id" json:"user_id"`
	Title     string    `db:"title" json:"title"`
	Done      bool      `db:"done" json:"done"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
	// attrs are the todo's attributes for the policy, built by the loader
	// and kept with the cached copy (nil after a trip through Redis).
	attrs auth.Attributes
}

// attributes returns the todo's policy attributes.
func (t *todoRow) attributes() auth.Attributes {
	if t.attrs != nil {
		return t.attrs
	}
	return auth.Attributes{"owner": strconv.FormatInt(t.UserID, 10)}
}

// store is the SQL behind the API. Every query is parameterised; sqlx.Rebind
// turns ? into the dialect's placeholders.
type store struct {
	dbx     *sqlx.DB
	dialect db.Dialect
	now     func() time.Time
}

func newStore(dbx *sqlx.DB) (*store, error) {
	d, err := db.DialectOf(dbx)
	if err != nil {
		return nil, err
	}
	return &store{dbx: dbx, dialect: d, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}, nil
}

func (s *store) q(query string) string { return s.dialect.Rebind(query) }

// insert runs an INSERT and returns the new row's id, with RETURNING on
// PostgreSQL and LastInsertId elsewhere.
func (s *store) insert(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int64, error) {
	if s.dialect == db.Postgres {
		var id int64
		err := tx.QueryRowxContext(ctx, s.q(query+" RETURNING id"), args...).Scan(&id)
		return id, err
	}
	res, err := tx.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (s *store) createUser(ctx context.Context, email, hash string, roles []string) (user, error) {
	u := user{Email: email, PasswordHash: hash, Roles: strings.Join(roles, ","), CreatedAt: s.now()}
	// The unique index on email is the check: a look-up first would race
	// with a concurrent registration and cost a round trip.
	err := db.InTx(ctx, s.dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO users (email, password_hash, roles, created_at) VALUES (?, ?, ?, ?)`,
			u.Email, u.PasswordHash, u.Roles, u.CreatedAt)
		if err != nil {
			if isUniqueViolation(err) {
				return errEmailTaken
			}
			return err
		}
		u.ID = id
		return nil
	})
	return u, err
}

func (s *store) userByEmail(ctx context.Context, email string) (user, error) {
	var u user
	err := s.dbx.GetContext(ctx, &u, s.q(`SELECT id, email, password_hash, roles, created_at FROM users WHERE email = ?`), email)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errNotFound
	}
	return u, err
}

func (s *store) updatePasswordHash(ctx context.Context, id int64, hash string) error {
	_, err := s.dbx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, id)
	return err
}

const todoColumns = `id, user_id, title, done, created_at, updated_at`

func (s *store) createTodo(ctx context.Context, userID int64, title string) (todoRow, error) {
	now := s.now()
	t := todoRow{UserID: userID, Title: title, CreatedAt: now, UpdatedAt: now}
	err := db.InTx(ctx, s.dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		id, err := s.insert(ctx, tx, `INSERT INTO todos (user_id, title, done, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			userID, title, false, now, now)
		t.ID = id
		return err
	})
	return t, err
}

// todo returns a live (not deleted) todo.
func (s *store) todo(ctx context.Context, id int64) (todoRow, error) {
	var t todoRow
	err := s.dbx.GetContext(ctx, &t, s.q(`SELECT `+todoColumns+` FROM todos WHERE id = ? AND deleted_at IS NULL`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errNotFound
	}
	return t, err
}

// listFilter selects todos for a page.
type listFilter struct {
	UserID int64 // 0: every user's (admins)
	After  int64 // cursor: ids greater than this
	Done   *bool
	Limit  int
}

// listTodos returns up to f.Limit todos in id order, and whether more follow.
func (s *store) listTodos(ctx context.Context, f listFilter) ([]todoRow, bool, error) {
	var (
		where = []string{"deleted_at IS NULL", "id > ?"}
		args  = []any{f.After}
	)
	if f.UserID != 0 {
		where = append(where, "user_id = ?")
		args = append(args, f.UserID)
	}
	if f.Done != nil {
		where = append(where, "done = ?")
		args = append(args, *f.Done)
	}
	args = append(args, f.Limit+1)
	query := `SELECT ` + todoColumns + ` FROM todos WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id LIMIT ?`
	rows := []todoRow{}
	if err := s.dbx.SelectContext(ctx, &rows, s.q(query), args...); err != nil {
		return nil, false, err
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// todoPatch holds the fields a PATCH may change.
type todoPatch struct {
	Title *string
	Done  *bool
}

// updateTodo applies p to a live todo and returns it.
func (s *store) updateTodo(ctx context.Context, id int64, p todoPatch) (todoRow, error) {
	var t todoRow
	err := db.InTx(ctx, s.dbx, func(ctx context.Context, tx *sqlx.Tx) error {
		lock := ""
		if s.dialect != db.SQLite {
			lock = " FOR UPDATE"
		}
		err := tx.GetContext(ctx, &t, s.q(`SELECT `+todoColumns+` FROM todos WHERE id = ? AND deleted_at IS NULL`+lock), id)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if p.Title != nil {
			t.Title = *p.Title
		}
		if p.Done != nil {
			t.Done = *p.Done
		}
		t.UpdatedAt = s.now()
		_, err = tx.ExecContext(ctx, s.q(`UPDATE todos SET title = ?, done = ?, updated_at = ? WHERE id = ?`), t.Title, t.Done, t.UpdatedAt, id)
		return err
	})
	return t, err
}

// deleteTodo marks a todo deleted; the purge job removes it later.
func (s *store) deleteTodo(ctx context.Context, id int64) error {
	res, err := s.dbx.ExecContext(ctx, s.q(`UPDATE todos SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`), s.now(), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errNotFound
	}
	return nil
}

// purgeDeleted removes todos deleted before cutoff and reports how many.
func (s *store) purgeDeleted(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.dbx.ExecContext(ctx, s.q(`DELETE FROM todos WHERE deleted_at IS NOT NULL AND deleted_at < ?`), cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge deleted todos: %w", err)
	}
	return res.RowsAffected()
}

// isUniqueViolation recognises a duplicate-key error of any of the three
// databases without importing their drivers' error types.
func isUniqueViolation(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "unique") || strings.Contains(msg, "duplicate")
}
