package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/fleet"
	"github.com/strata-db/strata/internal/lease"
)

// fleetApp is an app with the global flags at their defaults, for running
// one command without the root command.
func fleetApp(t *testing.T) (*app, *bytes.Buffer, *bytes.Buffer) {
	wd := t.TempDir()
	t.Chdir(wd)
	if err := os.Mkdir("migrations", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("migrations", "0001_a.sql"), []byte("CREATE TABLE a (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	a := &app{stdout: &o, stderr: &e, dir: "migrations", table: strata.DefaultTable, tx: string(strata.TxPerFile),
		lockMode: string(strata.LockSession), leaseTTL: lease.DefaultTTL, lockTimeout: time.Minute}
	if err := os.WriteFile("targets", []byte("# two files\nsqlite:a.db\n\nsqlite:b.db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return a, &o, &e
}

// TestFleetProgressTerminal: on a terminal (as the injected check says)
// the progress is one line redrawn with \r; otherwise a plain line per
// target.
func TestFleetProgressTerminal(t *testing.T) {
	for _, term := range []bool{true, false} {
		a, stdout, stderr := fleetApp(t)
		cmd := a.upCommand()
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		fl := a.fleetCommand(cmd)
		var asked io.Writer
		fl.terminal = func(w io.Writer) bool { asked = w; return term }
		cmd.SetArgs([]string{"--targets", "targets", "--parallel", "2"})
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("terminal %v: %v\n%s", term, err, stderr)
		}
		if asked != a.stderr {
			t.Errorf("the terminal check was asked about %v, not stderr", asked)
		}
		live := strings.Contains(stderr.String(), "\r\033[K")
		if live != term || (term && !strings.Contains(stderr.String(), "strata up: 2/2 done, 0 failed, 0 running\n")) ||
			(!term && !strings.Contains(stderr.String(), "[2/2] ok sqlite:")) {
			t.Errorf("terminal %v: stderr %q", term, stderr)
		}
		if !strings.Contains(stdout.String(), "2 targets: 2 ok, 0 failed, 0 skipped") {
			t.Errorf("stdout %q", stdout)
		}
	}
}

// TestFleetJSONNoPassword: a failing target's error in the JSON document
// and on stderr never holds its password.
func TestFleetJSONNoPassword(t *testing.T) {
	a, stdout, stderr := fleetApp(t)
	a.json = true
	if err := os.WriteFile("targets", []byte("sqlite:a.db\npostgres://u:s3cretPW@127.0.0.1:1/db?connect_timeout=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := a.upCommand()
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	fl := a.fleetCommand(cmd)
	fl.terminal = func(io.Writer) bool { return false }
	cmd.SetArgs([]string{"--targets", "targets"})
	err := cmd.ExecuteContext(context.Background())
	if code := exitCode(context.Background(), err); code != ExitFleetFailed {
		t.Fatalf("exit %d: %v", code, err)
	}
	var doc jsonFleet
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	bad := doc.Targets[1]
	if doc.OK != 1 || bad.Outcome != string(fleet.Failed) || bad.Error == nil || bad.Error.Code != "unreachable" || bad.URL != "postgres://u:xxxxx@127.0.0.1:1/db?connect_timeout=1" {
		t.Errorf("doc %+v, bad %+v", doc, bad.Error)
	}
	if strings.Contains(stdout.String()+stderr.String(), "s3cretPW") {
		t.Errorf("password printed:\n%s\n%s", stdout, stderr)
	}
}

func TestVersionCounts(t *testing.T) {
	got := strings.Join(versionCounts(map[string]int{"": 1, "2": 3, "10": 2, "9": 1}), ", ")
	if want := "2 at version 10, 1 at version 9, 3 at version 2, 1 target with nothing applied"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
