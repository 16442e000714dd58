package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildCommand is the README's build step; the test runs the binary
// TestMain built from this same source instead of building it again.
var buildCommand = []string{"go", "build", "-o", "strata", "./cmd/strata"}

// TestQuickstart runs the commands of the README's Quickstart section, as
// written, in a copy of examples/quickstart: the quickstart itself, then
// its next steps (up again, new, plan --sql), each of which must succeed.
func TestQuickstart(t *testing.T) {
	t.Parallel()
	blocks := markdownBlocks(t, "../../README.md", "## Quickstart", "sh")
	if len(blocks) != 2 {
		t.Fatalf("README.md's Quickstart has %d sh blocks, want 2 (the quickstart, the next steps)", len(blocks))
	}
	quick, next := shellCommands(t, blocks[0].text), shellCommands(t, blocks[1].text)
	if len(quick) < 2 || strings.Join(quick[0], " ") != strings.Join(buildCommand, " ") {
		t.Fatalf("the quickstart should start with %q, got %q", strings.Join(buildCommand, " "), quick)
	}

	wd := copyQuickstart(t)
	if err := os.Link(bin, filepath.Join(wd, "strata")); err != nil {
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(wd, "strata"), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run := func(words []string) result {
		t.Helper()
		if words[0] != "./strata" {
			t.Fatalf("README command %q does not run ./strata", strings.Join(words, " "))
		}
		r := strata(t, wd, words[1:]...)
		if r.code != 0 {
			t.Fatalf("README command %q failed: %s", strings.Join(words, " "), r)
		}
		return r
	}

	var up, status result
	for _, words := range quick[1:] {
		r := run(words)
		switch {
		case len(words) > 1 && words[1] == "up":
			up = r
		case len(words) > 1 && words[1] == "status":
			status = r
		}
	}
	if !strings.Contains(status.stdout, "0 pending") {
		t.Errorf("status after the quickstart does not say 0 pending:\n%s", status)
	}
	sqlFiles, _ := filepath.Glob(filepath.Join(wd, "examples", "quickstart", "*.sql"))
	applied := 0
	for _, p := range sqlFiles {
		name := filepath.Base(p)
		if strings.HasSuffix(name, ".down.sql") {
			continue
		}
		applied++
		if !strings.Contains(up.stdout, "applied examples/quickstart/"+name) {
			t.Errorf("up did not apply %s:\n%s", name, up)
		}
		if !strings.Contains(status.stdout, "examples/quickstart/"+name) {
			t.Errorf("status does not list %s:\n%s", name, status)
		}
	}
	if applied == 0 {
		t.Fatal("examples/quickstart has no migrations")
	}

	// The next steps: up again does nothing, new starts ./migrations,
	// plan --sql shows the new file for the default database.
	var sawNew, sawPlan bool
	for _, words := range next {
		r := run(words)
		switch {
		case len(words) > 1 && words[1] == "up":
			want(t, r, 0, "nothing to do")
		case len(words) > 1 && words[1] == "new":
			sawNew = true
			if _, err := os.Stat(filepath.Join(wd, strings.TrimSpace(r.stdout))); err != nil {
				t.Errorf("new did not write the file it printed: %v\n%s", err, r)
			}
		case len(words) > 1 && words[1] == "plan":
			sawPlan = true
			want(t, r, 0, "0001_create_users.sql")
		}
	}
	if !sawNew || !sawPlan {
		t.Errorf("the next steps should run new and plan, got %q", next)
	}
}

// copyQuickstart copies examples/quickstart into a new working directory,
// as it is in a clone of the repository.
func copyQuickstart(t *testing.T) string {
	t.Helper()
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
	}
	return wd
}
