package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quickstart is the command the README's Quickstart section shows.
const quickstart = "go build -o strata ./cmd/strata && ./strata up --dir examples/quickstart && ./strata status --dir examples/quickstart"

// TestQuickstart runs the README's quickstart in a copy of
// examples/quickstart, with the binary TestMain built, and checks that the
// README still shows that command.
func TestQuickstart(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), quickstart) {
		t.Fatalf("README.md does not show the quickstart command %q; update the README or this test", quickstart)
	}
	src := "../../examples/quickstart"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatalf("examples/quickstart: %v", err)
	}
	wd := t.TempDir()
	dst := filepath.Join(wd, "examples", "quickstart")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	var sqlFiles []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), ".sql") && !strings.HasSuffix(e.Name(), ".down.sql") {
			sqlFiles = append(sqlFiles, e.Name())
		}
	}
	if len(sqlFiles) == 0 {
		t.Fatal("examples/quickstart has no migrations")
	}
	up := strata(t, wd, "up", "--dir", "examples/quickstart")
	want(t, up, 0)
	status := strata(t, wd, "status", "--dir", "examples/quickstart")
	want(t, status, 0, "0 pending")
	for _, name := range sqlFiles {
		if !strings.Contains(up.stdout, "applied examples/quickstart/"+name) {
			t.Errorf("up did not apply %s:\n%s", name, up)
		}
		if !strings.Contains(status.stdout, "examples/quickstart/"+name) {
			t.Errorf("status does not list %s:\n%s", name, status)
		}
	}
	if _, err := os.Stat(filepath.Join(wd, "strata.db")); err != nil {
		t.Errorf("the default database file was not created: %v", err)
	}
	want(t, strata(t, wd, "up", "--dir", "examples/quickstart"), 0, "nothing to do")
}
