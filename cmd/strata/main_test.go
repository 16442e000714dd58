package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/cli"
	"github.com/strata-db/strata/internal/testdb"
)

// bin is the strata binary built once by TestMain.
var bin string

// cacheHome is the XDG_CACHE_HOME every strata run gets, set by TestMain:
// the binary's checksum caches (docs/checksums.md) go there, not into the
// user's cache folder. It is given to the strata processes only, not set
// in this process, where it would also move the Go build cache of the go
// command TestMain runs to an empty folder.
var cacheHome string

// The version and commit TestMain builds the binary with.
const (
	cliPkg      = "github.com/strata-db/strata/internal/cli"
	testVersion = "v9.8.7"
	testCommit  = "abc123"
)

func TestMain(m *testing.M) {
	testdb.RaiseParallel(4)
	dir, err := os.MkdirTemp("", "strata-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "strata")
	// The binary is built as a release is, with its version and commit
	// set by -ldflags -X (TestVersion checks them): one link serves every
	// test.
	// CGO_ENABLED=0 as the releases are built: a static binary, which
	// also starts without the dynamic loader (about a quarter less CPU
	// a run, and the tests run it thousands of times).
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X "+cliPkg+".Version="+testVersion+" -X "+cliPkg+".Commit="+testCommit, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building strata:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	cacheHome = filepath.Join(dir, "cache")
	// The runs in this process (see inProcess) report the binary's build.
	cli.Version, cli.Commit = testVersion, testCommit
	code := testdb.Main(m)
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "strata runs: %d in this process, %d through the binary\n", runsHere.Load(), runsExec.Load())
	}
	stopSharedServers()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// cleanEnv is the test process's environment without anything that would
// change strata's configuration, and with XDG_CACHE_HOME set to cacheHome.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "STRATA_") || strings.HasPrefix(k, "DATABASE_URL") || k == "XDG_CACHE_HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "XDG_CACHE_HOME="+cacheHome)
	return append(env, extra...)
}

// strata runs the binary in wd with a clean environment.
func strata(t *testing.T, wd string, args ...string) result {
	t.Helper()
	return strataEnv(t, wd, nil, args...)
}

func strataEnv(t *testing.T, wd string, env []string, args ...string) result {
	t.Helper()
	return runStrata(t, context.Background(), wd, env, args...)
}

// runStrata runs strata in wd with env until it exits or ctx ends: in this
// process through cli.Run when the run needs nothing of a process of its
// own (see inProcess), else the binary.
func runStrata(t *testing.T, ctx context.Context, wd string, env []string, args ...string) result {
	t.Helper()
	if inProcess(env, args) {
		runsHere.Add(1)
		var stdout, stderr bytes.Buffer
		code := cli.Run(ctx, cli.Invocation{Args: args, Environ: cleanEnv(env...), Dir: wd,
			Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
		return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
	}
	runsExec.Add(1)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = wd
	cmd.Env = cleanEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run strata %v: %v", args, err)
	}
	return r
}

// runsHere and runsExec count the runs of runStrata in this process and
// through the binary, for the line TestMain prints under -v.
var runsHere, runsExec atomic.Int64

// inProcess reports whether a run of strata with args and env (on top of
// cleanEnv) can go through cli.Run in this process rather than the
// binary: the same code with the same arguments, environment, working
// directory and streams, without starting a process (about 30 ms of CPU
// each, and the tests run strata thousands of times). What cli.Run cannot
// give a run of its own stays on the binary: run and await (they exec the
// app), the version the binary was linked with, environment variables that
// libraries read from the process (PG*, AWS_*, OTEL_*, HOME, ...), and TLS
// files named in a URL, which the drivers open relative to the process's
// working directory. STRATA_TEST_EXEC=1 sends every run to the binary.
func inProcess(env, args []string) bool {
	if os.Getenv("STRATA_TEST_EXEC") == "1" {
		return false
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "STRATA_") && !strings.HasPrefix(k, "DATABASE_URL") || tlsFiles(v) {
			return false
		}
	}
	for _, a := range args {
		switch a {
		case "run", "await", "version", "--version", "--":
			return false
		}
		if tlsFiles(a) {
			return false
		}
	}
	return true
}

// tlsFiles reports whether s names TLS files as database URL parameters.
func tlsFiles(s string) bool {
	for _, p := range []string{"sslrootcert", "sslcert", "sslkey", "tls-ca", "tls-cert", "tls-key"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// want fails the test unless r exited with code and every string in
// contains is in its stdout or stderr.
func want(t *testing.T, r result, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
	for _, s := range contains {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Fatalf("output does not contain %q:\n%s", s, r)
		}
	}
}

// folder is a temporary working directory with a migrations folder.
type folder struct {
	t    *testing.T
	wd   string // working directory for the binary
	dir  string // the migrations folder, relative to wd ("migrations")
	path string // absolute path of the migrations folder
}

func newFolder(t *testing.T) *folder {
	wd := t.TempDir()
	f := &folder{t: t, wd: wd, dir: "migrations", path: filepath.Join(wd, "migrations")}
	if err := os.Mkdir(f.path, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *folder) write(name, content string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.path, name), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *folder) remove(name string) {
	f.t.Helper()
	if err := os.Remove(filepath.Join(f.path, name)); err != nil {
		f.t.Fatal(err)
	}
}

// run runs strata with --url and --dir set for this folder.
func (f *folder) run(url string, args ...string) result {
	f.t.Helper()
	return strata(f.t, f.wd, append(args, "--url", url, "--dir", f.dir)...)
}

// statusJSON is `strata status --json` output.
type statusJSON struct {
	CurrentVersion string `json:"current_version"`
	Pending        int    `json:"pending"`
	Migrations     []struct {
		Version    string  `json:"version"`
		Name       string  `json:"name"`
		File       string  `json:"file"`
		State      string  `json:"state"`
		Checksum   string  `json:"checksum"`
		AppliedAt  *string `json:"applied_at"`
		DurationMS *int64  `json:"duration_ms"`
		Error      *string `json:"error"`
		// Progress of a file run outside a transaction.
		StatementsApplied int `json:"statements_applied"`
		StatementsTotal   int `json:"statements_total"`
		LastLine          int `json:"last_line"`
		NextLine          int `json:"next_line"`
	} `json:"migrations"`
}

func (f *folder) status(url string) statusJSON {
	f.t.Helper()
	r := f.run(url, "status", "--json")
	want(f.t, r, 0)
	var st statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		f.t.Fatalf("status --json: %v\n%s", err, r)
	}
	return st
}

// state returns the state of the migration with the given version.
func (st statusJSON) state(version string) string {
	for _, m := range st.Migrations {
		if m.Version == version {
			return m.State
		}
	}
	return "(absent)"
}

// errorJSON is the --json error output.
type errorJSON struct {
	Error struct {
		Code       string `json:"code"`
		ExitCode   int    `json:"exit_code"`
		Message    string `json:"message"`
		File       string `json:"file"`
		Line       int    `json:"line"`
		ServerCode string `json:"server_code"`
		Problems   []struct {
			State string `json:"state"`
			File  string `json:"file"`
		} `json:"problems"`
	} `json:"error"`
}

func parseError(t *testing.T, r result) errorJSON {
	t.Helper()
	var e errorJSON
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		t.Fatalf("--json error output: %v\n%s", err, r)
	}
	return e
}

func parseTime(t *testing.T, s *string) time.Time {
	t.Helper()
	if s == nil {
		t.Fatal("applied_at is null")
	}
	at, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		t.Fatalf("applied_at %q: %v", *s, err)
	}
	return at
}
