package cron_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportWalls keeps cron and crontest off every other keel package but
// httpx (DESIGN.md: feature packages never import each other).
func TestImportWalls(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "crontest"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "github.com/gokeel/keel/") && imp != "github.com/gokeel/keel/httpx" &&
				imp != "github.com/gokeel/keel/cron" {
				t.Errorf("%s imports %s", dir, imp)
			}
		}
	}
}
