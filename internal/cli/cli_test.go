package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/source"
)

type signalCause string

func (s signalCause) Error() string { return string(s) }

func TestExitCode(t *testing.T) {
	bg := context.Background()
	lock := fmt.Errorf("up: %w", strata.ErrLockTimeout)
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"nil", bg, nil, ExitOK},
		{"generic", bg, errors.New("boom"), ExitFailure},
		{"usage", bg, usage(errors.New("bad flag")), ExitUsage},
		{"config error", bg, &strata.ConfigError{Msg: "--tx=all"}, ExitUsage},
		{"bad folder", bg, (&app{}).explainFolder(errors.Join(&source.FileError{Files: []string{"x.sql"}, Msg: "bad name"})), ExitUsage},
		{"drift", bg, &strata.RefusedError{Problems: []strata.Problem{{Kind: strata.ProblemEdited}}}, ExitDrift},
		{"resume", bg, &strata.ResumeError{File: "a.sql"}, ExitDrift},
		{"statement", bg, &strata.StatementError{File: "a.sql", Err: errors.New("x")}, ExitMigrationFailed},
		{"file", bg, &source.FileError{Files: []string{"a.sql"}, Err: errors.New("unterminated quote")}, ExitMigrationFailed},
		{"lock", bg, lock, ExitLockTimeout},
		{"unreachable", bg, &config.ConnectError{URL: "x", Err: errors.New("refused")}, ExitUnreachable},
		{"sigint", cancelled(signalCause(syscall.SIGINT.String() + " signal received")), errors.New("context canceled"), ExitInterrupted},
		{"sigterm", cancelled(signalCause(syscall.SIGTERM.String() + " signal received")), &strata.StatementError{Err: context.Canceled}, ExitTerminated},
		{"cancel", cancelled(nil), errors.New("x"), ExitInterrupted},
	}
	for _, tt := range tests {
		if got := exitCode(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
		if tt.want != ExitOK && errorCodes[tt.want] == "" {
			t.Errorf("%s: exit %d has no JSON code", tt.name, tt.want)
		}
	}
}

func cancelled(cause error) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return ctx
}

// TestExitCodesDocumented checks docs/exit-codes.md lists every code.
func TestExitCodesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/exit-codes.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, name := range errorCodes {
		row := fmt.Sprintf("| %d | `%s` |", code, name)
		if !strings.Contains(string(b), row) {
			t.Errorf("docs/exit-codes.md has no row starting %q", row)
		}
	}
}

func run(t *testing.T, wd string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if wd != "" {
		t.Chdir(wd)
	}
	var o, e bytes.Buffer
	code = Main(context.Background(), args, env, &o, &e)
	return o.String(), e.String(), code
}

func TestMainUsage(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"status", "--bogus"}, {"version", "x"}, {"up", "--quiet", "--verbose"}} {
		_, stderr, code := run(t, "", nil, args...)
		if code != ExitUsage || !strings.HasPrefix(stderr, "error: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	stdout, _, code := run(t, "", nil, "--help")
	if code != ExitOK || !strings.Contains(stdout, "Exit codes") {
		t.Errorf("--help: exit %d, stdout %q", code, stdout)
	}
}

func TestMainVersion(t *testing.T) {
	stdout, _, code := run(t, "", nil, "version")
	if code != 0 || !strings.HasPrefix(stdout, "strata ") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	stdout, _, _ = run(t, "", []string{"STRATA_JSON=1"}, "version")
	var bi buildInfo
	if err := json.Unmarshal([]byte(stdout), &bi); err != nil || bi.Version == "" || bi.Go == "" {
		t.Errorf("version --json = %q, %v", stdout, err)
	}
}

func TestMainJSONError(t *testing.T) {
	wd := t.TempDir()
	stdout, stderr, code := run(t, wd, []string{"STRATA_DATABASE_URL=oracle://u:s3cretPW@h/db"}, "status", "--json")
	if code != ExitUsage {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	var out struct {
		Error jsonError `json:"error"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	if out.Error.Code != "usage" || out.Error.ExitCode != 2 || !strings.Contains(out.Error.Message, "STRATA_DATABASE_URL") {
		t.Errorf("error = %+v", out.Error)
	}
	if strings.Contains(stdout+stderr, "s3cretPW") {
		t.Error("password printed")
	}
}

func TestMainSQLiteInProcess(t *testing.T) {
	wd := t.TempDir()
	dir := filepath.Join(wd, "migrations")
	_, stderr, code := run(t, wd, nil, "new", "create users")
	if code != 0 {
		t.Fatalf("new: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "0001_create_users.sql"), []byte("CREATE TABLE users (id int);\nSELECT * FROM nope;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, wd, nil, "up", "--json")
	if code != ExitMigrationFailed {
		t.Fatalf("up: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var out struct {
		Error jsonError `json:"error"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Error.File != "migrations/0001_create_users.sql" || out.Error.Line != 2 || out.Error.ServerCode == "" || out.Error.Outcome == "" {
		t.Errorf("error = %+v", out.Error)
	}
	if err := os.WriteFile(filepath.Join(dir, "0001_create_users.sql"), []byte("CREATE TABLE users (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, code = run(t, wd, nil, "up", "--json")
	var res struct {
		Applied        []jsonApplied `json:"applied"`
		CurrentVersion string        `json:"current_version"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 {
		t.Fatalf("up --json: exit %d, %v: %q", code, err, stdout)
	}
	if len(res.Applied) != 1 || res.Applied[0].Version != "1" || !res.Applied[0].Transactional || res.CurrentVersion != "1" {
		t.Errorf("up --json = %+v", res)
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[string]string{"0s": "0ms", "12.4ms": "12ms", "1.234s": "1.23s", "2m3s": "2m3s"} {
		x, _ := time.ParseDuration(d)
		if got := fmtDuration(x); got != want {
			t.Errorf("fmtDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
