package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Command returns a command that runs this test binary again, running only
// the test named testName, with [IsChild] true and [ChildArg] equal to arg.
// Multi-process tests use it to start separate OS processes that share a
// server:
//
//	func TestHelperProcess(t *testing.T) {
//		if !testenv.IsChild() {
//			t.Skip("helper process")
//		}
//		// ... the child's work, then os.Exit or return
//	}
//
// env is appended to the parent's environment.
func Command(t testing.TB, testName, arg string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("testenv: executable: %v", err)
	}
	cmd := exec.Command(exe, "-test.run=^"+testName+"$", "-test.count=1")
	cmd.Env = childEnv(arg, env)
	return cmd
}
