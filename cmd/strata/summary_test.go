package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// readSummary returns the step summary file's content.
func readSummary(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("step summary: %v", err)
	}
	return string(b)
}

// wantIn fails unless every string of want is in s, in order.
func wantIn(t *testing.T, what, s string, want ...string) {
	t.Helper()
	rest := s
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("%s does not contain %q (in order):\n%s", what, w, s)
		}
		rest = rest[i+len(w):]
	}
}

// TestStepSummary: in a GitHub Actions job, plan, up, check, lint and
// verify append a Markdown summary to $GITHUB_STEP_SUMMARY, failures
// included; --format markdown prints the same on stdout.
func TestStepSummary(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, email varchar(200));\n")
			f.write("0002_drop_email.sql", "-- the app stopped using it\nALTER TABLE users DROP COLUMN email;\n")
			sum := filepath.Join(t.TempDir(), "summary.md")
			// Earlier steps of the job wrote to it already: append, never truncate.
			if err := os.WriteFile(sum, []byte("## earlier step\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			env := []string{"GITHUB_STEP_SUMMARY=" + sum, "GITHUB_ACTIONS=true"}
			run := func(code int, args ...string) result {
				t.Helper()
				r := strataEnv(t, f.wd, env, append(args, "--url", db.URL, "--dir", f.dir)...)
				want(t, r, code)
				return r
			}

			want(t, run(0, "up", "--to", "1"), 0, "applied migrations/0001_users.sql")
			wantIn(t, "summary", readSummary(t, sum), "## earlier step\n", "### strata up: applied 1 migration", "database is at version 1", "| `migrations/0001_users.sql` | 1 |")

			// plan --format markdown: the same Markdown on stdout, with
			// the lint finding at file:line.
			r := run(0, "plan", "--format", "markdown")
			wantIn(t, "plan --format markdown", r.stdout, "### strata plan: 1 migration to apply", "| `migrations/0002_drop_email.sql` | in a transaction | 1 |",
				"| `migrations/0002_drop_email.sql:2` | error | `drop-column` |")
			if strings.Contains(r.stdout, "to apply on") {
				t.Errorf("plan --format markdown also printed the text:\n%s", r)
			}
			if !strings.HasSuffix(readSummary(t, sum), r.stdout) {
				t.Errorf("the step summary does not end with what plan printed:\n%s", readSummary(t, sum))
			}

			r = run(1, "lint", "--format", "markdown")
			wantIn(t, "lint --format markdown", r.stdout, "### strata lint: failed", "in 1 file: 1 errors", "| `migrations/0002_drop_email.sql:2` | error | `drop-column` |")
			r = run(10, "check")
			wantIn(t, "summary", readSummary(t, sum), "### strata check: not ok (exit 10, pending)", "| pending | `migrations/0002_drop_email.sql` |")

			// A failed up says which file:line failed.
			f.write("0003_broken.sql", "CREATE TABLE posts (id int);\nINSERT INTO no_such_table VALUES (1);\n")
			want(t, run(4, "up"), 4, "0003_broken.sql:2")
			wantIn(t, "summary", readSummary(t, sum), "### strata up: failed (exit 4, migration_failed)", "`migrations/0003_broken.sql:2` failed (statement 2)", "INSERT INTO no_such_table",
				"Applied before the failure", "| `migrations/0002_drop_email.sql` | 1 |")

			// A refused up (drift) is summarized too, with the problem.
			f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, email varchar(250));\n")
			want(t, run(3, "up"), 3, "edited")
			wantIn(t, "summary", readSummary(t, sum), "### strata up: failed (exit 3, drift)", "| edited | `migrations/0001_users.sql` |")
			f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, email varchar(200));\n")

			r = run(4, "verify")
			wantIn(t, "summary", readSummary(t, sum), "### strata verify: failed", "| `migrations/0001_users.sql` | up | ok |",
				"| `migrations/0003_broken.sql:2` | up | **failed**")
			if got := strings.Count(readSummary(t, sum), "## earlier step"); got != 1 {
				t.Errorf("the earlier step's summary appears %d times", got)
			}

			// --format json is --json; an unknown format is a usage error.
			if e := parseError(t, run(4, "up", "--format", "json")); e.Error.Code != "migration_failed" || e.Error.Line != 2 {
				t.Errorf("up --format json error = %+v", e.Error)
			}
			want(t, run(2, "up", "--format", "yaml"), 2, `--format "yaml": give text, json or markdown`)
			want(t, run(2, "up", "--format", "markdown", "--json"), 2, "contradict")
		})
	}
}

// TestMarkdownWithoutCI: without GITHUB_STEP_SUMMARY nothing is written
// anywhere but stdout.
func TestMarkdownWithoutCI(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (x int);\n")
	url := "sqlite:" + filepath.Join(f.wd, "db.sqlite")
	r := f.run(url, "up", "--format", "markdown")
	want(t, r, 0)
	wantIn(t, "up --format markdown", r.stdout, "### strata up: applied 1 migration", "| `migrations/0001_a.sql` | 1 |")
	if strings.Contains(r.stdout, "applied migrations/0001_a.sql (") {
		t.Errorf("the text progress went to stdout too:\n%s", r)
	}
	r = f.run(url, "check", "--format", "markdown")
	want(t, r, 0)
	wantIn(t, "check --format markdown", r.stdout, "### strata check: ok", "at version 1, nothing pending")
	entries, err := os.ReadDir(f.wd)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			t.Errorf("wrote %s", e.Name())
		}
	}
}

// TestStepSummaryHidesPassword: the summary names the database without
// its password, in success and failure.
func TestStepSummaryHidesPassword(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), secret) // trust auth ignores it
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (x int);\n")
	f.write("0002_b.sql", "INSERT INTO no_such_table VALUES (1);\n")
	sum := filepath.Join(t.TempDir(), "summary.md")
	env := []string{"GITHUB_STEP_SUMMARY=" + sum}
	for _, args := range [][]string{{"plan"}, {"up"}, {"check"}, {"up", "--url", "postgres://postgres:" + secret + "@127.0.0.1:1/x"}} {
		r := strataEnv(t, f.wd, env, append([]string{"--url", u.String(), "--dir", f.dir}, args...)...)
		noSecret(t, r)
	}
	s := readSummary(t, sum)
	if strings.Contains(s, secret) {
		t.Fatalf("the step summary shows the password:\n%s", s)
	}
	wantIn(t, "summary", s, "### strata plan", "### strata up: failed (exit 4", "postgres://postgres:xxxxx@", "### strata check", "### strata up: failed (exit 6, unreachable)")
}
