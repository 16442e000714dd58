package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// checkJSON is `strata check --json` output.
type checkJSON struct {
	OK       bool   `json:"ok"`
	ExitCode int    `json:"exit_code"`
	Code     string `json:"code"`
	Problems []struct {
		State string `json:"state"`
	} `json:"problems"`
}

// wantCheck runs check, text and --json, and wants exit code with the
// named code.
func wantCheck(t *testing.T, f *folder, url string, code int, name string) {
	t.Helper()
	r := f.run(url, "check")
	want(t, r, code)
	if code != 0 && !strings.Contains(r.stdout, "not ok (exit ") {
		t.Errorf("check text output:\n%s", r)
	}
	r = f.run(url, "check", "--json")
	want(t, r, code)
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("check --json: %v\n%s", err, r)
	}
	if c.OK != (code == 0) || c.ExitCode != code || c.Code != name {
		t.Fatalf("check --json = %+v, want exit %d %q\n%s", c, code, name, r)
	}
}

// TestCheck drives each of check's exit codes on each database, and the
// order in which they win.
func TestCheck(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0003_create_posts.sql", createPosts)
		wantCheck(t, f, db.URL, 10, "pending")
		want(t, f.run(db.URL, "up"), 0)
		wantCheck(t, f, db.URL, 0, "")

		f.write("0002_old.sql", "CREATE TABLE old_one (id int);\n")
		wantCheck(t, f, db.URL, 13, "out_of_order")
		f.remove("0002_old.sql")

		f.write("0003_create_posts.sql", createPosts+"-- edited\n")
		wantCheck(t, f, db.URL, 11, "edited")
		f.remove("0001_create_users.sql")
		wantCheck(t, f, db.URL, 12, "missing") // missing beats edited
		f.write("0001_create_users.sql", createUsers)
		f.write("0003_create_posts.sql", createPosts)
		wantCheck(t, f, db.URL, 0, "")

		// A file outside a transaction that stops half-way: partial.
		f.write("0004_half.sql", "-- strata:no-transaction\nCREATE TABLE half (id int);\nSELECT * FROM no_such_table;\n")
		want(t, f.run(db.URL, "up"), 4)
		f.write("0003_create_posts.sql", createPosts+"-- edited\n")
		f.write("0005_next.sql", "CREATE TABLE next_one (id int);\n")
		wantCheck(t, f, db.URL, 14, "incomplete") // beats edited and pending
	})
}

// TestReport: --report writes the --json document to a file whatever the
// output mode, also on failure.
func TestReport(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	report := filepath.Join(t.TempDir(), "report.json")
	read := func() map[string]any {
		t.Helper()
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("report: %v\n%s", err, b)
		}
		os.Remove(report)
		return m
	}
	want(t, f.run(db.URL, "check", "--report", report), 10)
	if m := read(); m["code"] != "pending" || m["ok"] != false {
		t.Errorf("check report = %v", m)
	}
	r := f.run(db.URL, "up", "--report", report)
	want(t, r, 0, "applied migrations/0001_create_users.sql")
	if m := read(); m["current_version"] != "1" || len(m["applied"].([]any)) != 1 {
		t.Errorf("up report = %v", m)
	}
	want(t, f.run(db.URL, "status", "--report", report, "--quiet"), 0)
	if m := read(); m["current_version"] != "1" || len(m["migrations"].([]any)) != 1 {
		t.Errorf("status report = %v", m)
	}
	r = f.run(db.URL, "status", "--report", report, "--json")
	if m := read(); r.stdout == "" || m["pending"] != float64(0) {
		t.Errorf("status --json report = %v; stdout %q", m, r.stdout)
	}
	want(t, f.run(db.URL, "check", "--report", report), 0)
	if m := read(); m["ok"] != true {
		t.Errorf("check report = %v", m)
	}
	want(t, f.run("postgres://u:"+secret+"@127.0.0.1:1/x", "up", "--report", report), 6)
	m := read()
	e, _ := m["error"].(map[string]any)
	if e == nil || e["code"] != "unreachable" || strings.Contains(e["message"].(string), secret) {
		t.Errorf("error report = %v", m)
	}
	// Every other command writes its result document too, and still
	// prints its text output.
	f.write("0001_create_users.down.sql", "DROP TABLE users;\n")
	for _, tc := range []struct {
		args  []string
		field string
		text  string
	}{
		{[]string{"plan"}, "steps", "nothing to do"},
		{[]string{"history", "1"}, "audit", "0001_create_users.sql"},
		{[]string{"down", "--dry-run"}, "steps", "0001"},
		{[]string{"config"}, "settings", "url"},
		{[]string{"version"}, "version", "strata"},
		{[]string{"new", "later"}, "path", "later.sql"},
	} {
		r := f.run(db.URL, append(tc.args, "--report", report)...)
		if r.code != 0 || !strings.Contains(r.stdout, tc.text) || strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
			t.Errorf("%v --report: want text output containing %q:\n%s", tc.args, tc.text, r)
		}
		if m := read(); m[tc.field] == nil {
			t.Errorf("%v --report: the report has no %q: %v", tc.args, tc.field, m)
		}
	}
}
