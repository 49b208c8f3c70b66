package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// GoMigration is a migration written in Go, for data changes SQL cannot
// express. Up and Down run inside the migration's transaction and get it as
// tx; Down may be nil. Register them with WithGoMigrations; their versions
// share the numbering of the SQL files.
type GoMigration struct {
	Version int64
	Name    string
	Up      func(ctx context.Context, tx sqlx.ExtContext) error
	Down    func(ctx context.Context, tx sqlx.ExtContext) error
}

// migration is one version, from files or Go.
type migration struct {
	version        int64
	name           string
	upSQL, downSQL string
	upFn, downFn   func(ctx context.Context, tx sqlx.ExtContext) error
	upNoTx         bool
	downNoTx       bool
	downEmpty      bool // only comments
	hasDown        bool
	checksum       string // of the up SQL; "" for Go migrations
	source         string // file name or "go"
}

func (m *migration) label() string { return strconv.FormatInt(m.version, 10) + "_" + m.name }

// NoTransactionMarker, on a line of its own among the comment lines at the
// top of a migration file, makes the file run outside a transaction (for
// statements such as CREATE INDEX CONCURRENTLY). Such a file should hold a
// single statement.
const NoTransactionMarker = "-- keel:no-transaction"

// MigrationFile is what a migration file name says.
type MigrationFile struct {
	Version int64
	Name    string
	Up      bool // .up.sql, else .down.sql
}

// ParseMigrationFileName parses "NNNN_name.up.sql" or "NNNN_name.down.sql":
// a positive decimal version, an underscore, a name of letters, digits,
// '_' and '-', and the direction.
func ParseMigrationFileName(base string) (MigrationFile, error) {
	var f MigrationFile
	stem, ok := strings.CutSuffix(base, ".up.sql")
	f.Up = ok
	if !ok {
		if stem, ok = strings.CutSuffix(base, ".down.sql"); !ok {
			return f, fmt.Errorf("%w: %q: want NNNN_name.up.sql or NNNN_name.down.sql", ErrBadMigration, base)
		}
	}
	num, name, ok := strings.Cut(stem, "_")
	if !ok || num == "" || name == "" {
		return f, fmt.Errorf("%w: %q: want NNNN_name.up.sql or NNNN_name.down.sql", ErrBadMigration, base)
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return f, fmt.Errorf("%w: %q: version %q is not a number", ErrBadMigration, base, num)
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v <= 0 {
		return f, fmt.Errorf("%w: %q: version %q must be between 1 and 2^63-1", ErrBadMigration, base, num)
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return f, fmt.Errorf("%w: %q: name %q may hold only letters, digits, '_' and '-'", ErrBadMigration, base, name)
		}
	}
	f.Version, f.Name = v, name
	return f, nil
}

// parseDirectives reads the keel directives in the leading comment lines of
// a migration file and reports whether it has any SQL besides comments.
func parseDirectives(body string) (noTx, hasSQL bool, err error) {
	header := true
	inBlock := false
	for raw := range strings.Lines(body) {
		line := strings.TrimSpace(raw)
		if inBlock {
			if i := strings.Index(line, "*/"); i >= 0 {
				inBlock = false
				line = strings.TrimSpace(line[i+2:])
			} else {
				continue
			}
		}
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "--"):
			d := strings.TrimSpace(strings.TrimPrefix(line, "--"))
			if !strings.HasPrefix(d, "keel:") {
				continue
			}
			if !header {
				return false, false, fmt.Errorf("directive %q after the first statement", line)
			}
			if d != "keel:no-transaction" {
				return false, false, fmt.Errorf("unknown directive %q (known: %q)", line, NoTransactionMarker)
			}
			noTx = true
			continue
		case strings.HasPrefix(line, "/*"):
			if !strings.Contains(line[2:], "*/") {
				inBlock = true
				continue
			}
			rest := strings.TrimSpace(line[strings.Index(line[2:], "*/")+4:])
			if rest == "" || strings.HasPrefix(rest, "--") {
				continue
			}
		}
		header = false
		hasSQL = true
	}
	return noTx, hasSQL, nil
}

// loadMigrations reads every *.sql file at the root of fsys and merges the
// Go migrations. Other files are ignored.
func loadMigrations(fsys fs.FS, gos []GoMigration) ([]*migration, error) {
	byVersion := map[int64]*migration{}
	if fsys != nil {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return nil, fmt.Errorf("db: read migrations: %w", err)
		}
		for _, e := range entries {
			base := e.Name()
			if e.IsDir() || path.Ext(base) != ".sql" {
				continue
			}
			f, err := ParseMigrationFileName(base)
			if err != nil {
				return nil, err
			}
			b, err := fs.ReadFile(fsys, base)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrBadMigration, base, err)
			}
			body := string(b)
			noTx, hasSQL, err := parseDirectives(body)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrBadMigration, base, err)
			}
			m := byVersion[f.Version]
			if m == nil {
				m = &migration{version: f.Version, name: f.Name, source: base}
				byVersion[f.Version] = m
			} else if m.name != f.Name {
				return nil, fmt.Errorf("%w: %s: version %d is also %s", ErrBadMigration, base, f.Version, m.source)
			}
			if f.Up {
				if m.checksum != "" {
					return nil, fmt.Errorf("%w: %s: duplicate up migration for version %d", ErrBadMigration, base, f.Version)
				}
				if !hasSQL {
					return nil, fmt.Errorf("%w: %s: up migration is empty", ErrBadMigration, base)
				}
				sum := sha256.Sum256(b)
				m.upSQL, m.upNoTx, m.checksum, m.source = body, noTx, hex.EncodeToString(sum[:]), base
			} else {
				m.downSQL, m.downNoTx, m.downEmpty, m.hasDown = body, noTx, !hasSQL, true
			}
		}
	}
	for _, g := range gos {
		label := fmt.Sprintf("Go migration %d_%s", g.Version, g.Name)
		if _, err := ParseMigrationFileName(fmt.Sprintf("%d_%s.up.sql", g.Version, g.Name)); err != nil || g.Up == nil {
			return nil, fmt.Errorf("%w: %s: needs a positive version, a name of letters, digits, '_' or '-', and Up", ErrBadMigration, label)
		}
		if m := byVersion[g.Version]; m != nil {
			return nil, fmt.Errorf("%w: %s: version %d is also %s", ErrBadMigration, label, g.Version, m.source)
		}
		byVersion[g.Version] = &migration{version: g.Version, name: g.Name, upFn: g.Up, downFn: g.Down, hasDown: g.Down != nil, source: "go"}
	}
	out := make([]*migration, 0, len(byVersion))
	for _, m := range byVersion {
		if m.upFn == nil && m.checksum == "" {
			return nil, fmt.Errorf("%w: %s: down migration without an up migration", ErrBadMigration, m.source)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}
