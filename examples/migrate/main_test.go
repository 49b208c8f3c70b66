package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	mig := filepath.Join(dir, "migrations")
	if err := os.Mkdir(mig, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"0001_todos.up.sql":   "CREATE TABLE todos (id INTEGER PRIMARY KEY);",
		"0001_todos.down.sql": "DROP TABLE todos;",
		"0002_tags.up.sql":    "CREATE TABLE tags (id INTEGER PRIMARY KEY);",
		"0002_tags.down.sql":  "DROP TABLE tags;",
	} {
		if err := os.WriteFile(filepath.Join(mig, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"-driver", "sqlite", "-dsn", filepath.Join(dir, "app.db"), "-dir", mig}
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"status"}, []string{"1 todos pending", "2 tags pending"}},
		{[]string{"up"}, []string{"1 todos applied", "2 tags applied"}},
		{[]string{"down", "1"}, []string{"1 todos applied", "2 tags pending"}},
		{[]string{"to", "0"}, []string{"1 todos pending"}},
		{[]string{"force", "2", "applied"}, []string{"2 tags applied"}},
	}
	for _, s := range steps {
		var out, errOut strings.Builder
		if err := run(context.Background(), append(base, s.args...), &out, &errOut); err != nil {
			t.Fatalf("%v: %v (%s)", s.args, err, errOut.String())
		}
		for _, w := range s.want {
			if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), w) {
				t.Fatalf("%v: output\n%s\nlacks %q", s.args, out.String(), w)
			}
		}
	}
	var out, errOut strings.Builder
	if err := run(context.Background(), append(base, "sideways"), &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
}
