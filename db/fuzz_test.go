package db_test

import (
	"fmt"
	"testing"

	"github.com/gokeel/keel/db"
)

func TestParseMigrationFileName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    db.MigrationFile
		wantErr bool
	}{
		{"0001_create_todos.up.sql", db.MigrationFile{Version: 1, Name: "create_todos", Up: true}, false},
		{"20260101120000_add-index.down.sql", db.MigrationFile{Version: 20260101120000, Name: "add-index"}, false},
		{"1_x.up.sql", db.MigrationFile{Version: 1, Name: "x", Up: true}, false},
		{"0_x.up.sql", db.MigrationFile{}, true},
		{"-1_x.up.sql", db.MigrationFile{}, true},
		{"1x.up.sql", db.MigrationFile{}, true},
		{"1_.up.sql", db.MigrationFile{}, true},
		{"1_x.sql", db.MigrationFile{}, true},
		{"1_x.y.up.sql", db.MigrationFile{}, true},
		{"99999999999999999999_x.up.sql", db.MigrationFile{}, true},
		{"+1_x.up.sql", db.MigrationFile{}, true},
	}
	for _, c := range cases {
		got, err := db.ParseMigrationFileName(c.in)
		if (err != nil) != c.wantErr || (err == nil && got != c.want) {
			t.Errorf("ParseMigrationFileName(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func FuzzParseMigrationFileName(f *testing.F) {
	for _, s := range []string{"0001_a.up.sql", "2_b-c.down.sql", "x.sql", "1_.up.sql", "00_a.up.sql", "1_a.up.sql.up.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		mf, err := db.ParseMigrationFileName(name)
		if err != nil {
			return
		}
		if mf.Version <= 0 || mf.Name == "" {
			t.Fatalf("%q parsed to %+v", name, mf)
		}
		dir := "down"
		if mf.Up {
			dir = "up"
		}
		again, err := db.ParseMigrationFileName(fmt.Sprintf("%d_%s.%s.sql", mf.Version, mf.Name, dir))
		if err != nil || again != mf {
			t.Fatalf("round trip of %q: %+v, %v", name, again, err)
		}
	})
}
