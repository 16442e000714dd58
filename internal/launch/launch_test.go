package launch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	c, err := Resolve([]string{"sh", "-c", "true"})
	if err != nil || !filepath.IsAbs(c.Path) || c.Args[0] != "sh" {
		t.Fatalf("Resolve(sh) = %+v, %v", c, err)
	}
	if _, err := Resolve([]string{"strata-no-such-command"}); err == nil || !strings.Contains(err.Error(), "put it on PATH") {
		t.Fatalf("Resolve(missing) = %v", err)
	}
	if _, err := Resolve(nil); err == nil {
		t.Fatal("Resolve(nil) succeeded")
	}
}

// TestExecKeepsPID runs this test binary as a helper that execs sh, which
// writes its PID and an environment variable to a file.
func TestExecKeepsPID(t *testing.T) {
	if out := os.Getenv("LAUNCH_HELPER_OUT"); out != "" {
		c, err := Resolve([]string{"sh", "-c", `echo "$$ $LAUNCH_MARK" > "$LAUNCH_HELPER_OUT"`})
		if err == nil {
			err = c.Exec(os.Environ())
		}
		t.Fatalf("exec: %v", err)
	}
	out := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(os.Args[0], "-test.run=^TestExecKeepsPID$")
	cmd.Env = append(os.Environ(), "LAUNCH_HELPER_OUT="+out, "LAUNCH_MARK=passed-through")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] != strconv.Itoa(cmd.Process.Pid) || f[1] != "passed-through" {
		t.Fatalf("helper wrote %q, want %d passed-through", b, cmd.Process.Pid)
	}
}
