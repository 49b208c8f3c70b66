package auth_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyWalls checks that auth imports no keel package but httpx
// (and internal ones).
func TestDependencyWalls(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/gokeel/keel/auth").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/gokeel/keel") {
			continue
		}
		switch {
		case p == "github.com/gokeel/keel/auth", p == "github.com/gokeel/keel/httpx",
			strings.HasPrefix(p, "github.com/gokeel/keel/internal/"):
		default:
			t.Errorf("auth depends on %s", p)
		}
	}
}
