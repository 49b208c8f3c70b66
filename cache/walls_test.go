package cache_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportWalls checks that cache imports no keel package but httpx (see
// DESIGN.md: feature packages never import each other).
func TestImportWalls(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/gokeel/keel/cache").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/gokeel/keel") || p == "github.com/gokeel/keel/cache" {
			continue
		}
		if p != "github.com/gokeel/keel/httpx" {
			t.Errorf("cache imports %s", p)
		}
	}
}
