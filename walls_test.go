package keel_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/gokeel/keel"

// feature returns the feature package (auth, cache, ratelimit, cron, db)
// that path belongs to, or "".
func feature(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	top, _, _ := strings.Cut(rest, "/")
	switch top {
	case "auth", "cache", "ratelimit", "cron", "db":
		return top
	}
	return ""
}

// area returns the top-level directory of a keel package ("" for the root).
func area(path string) string {
	if path == module {
		return ""
	}
	rest := strings.TrimPrefix(path, module+"/")
	top, _, _ := strings.Cut(rest, "/")
	return top
}

// TestDependencyWalls enforces DESIGN.md: feature packages never depend on
// one another; they may use httpx and internal/ only. httpx and
// observability depend on no other keel package but internal/. The root
// depends only on httpx, observability and internal/. Nothing depends on
// examples/.
func TestDependencyWalls(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		if area(pkg) == "examples" || area(pkg) == "internal" {
			continue
		}
		checked++
		for _, dep := range deps {
			if !strings.HasPrefix(dep, module) || area(dep) == "internal" {
				continue
			}
			if area(dep) == "examples" {
				t.Errorf("%s depends on %s: nothing may import examples/", pkg, dep)
				continue
			}
			var allowed bool
			switch a := area(pkg); {
			case feature(pkg) != "":
				allowed = feature(dep) == feature(pkg) || area(dep) == "httpx"
			case a == "httpx" || a == "observability":
				allowed = area(dep) == a
			case pkg == module:
				allowed = area(dep) == "httpx" || area(dep) == "observability"
			default:
				t.Errorf("%s: package outside the known areas; add it to the walls", pkg)
				allowed = true
			}
			if !allowed {
				t.Errorf("%s depends on %s: forbidden by the dependency walls", pkg, dep)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("checked only %d packages", checked)
	}
}
