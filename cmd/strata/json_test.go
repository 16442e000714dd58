package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// jsonFields lists the fields of each command's --json document, as
// docs/json.md documents them; "?" marks a field left out when empty.
var jsonFields = map[string][]string{
	"up": {"applied", "applied[].version", "applied[].name", "applied[].file", "applied[].duration_ms",
		"applied[].statements", "applied[].transactional", "current_version", "lock_wait_ms"},
	"run": {"applied", "current_version", "lock_wait_ms"},
	"status": {"current_version", "pending", "migrations", "migrations[].version", "migrations[].name",
		"migrations[].file", "migrations[].state", "migrations[].checksum", "migrations[].applied_at",
		"migrations[].duration_ms", "migrations[].error", "migrations[].statements_applied",
		"migrations[].statements_total", "migrations[].last_line?", "migrations[].next_line?"},
	"plan": {"dialect", "tx_mode", "transactional_ddl", "current_version", "steps", "steps[].version",
		"steps[].name", "steps[].file", "steps[].transactional", "steps[].reason?", "steps[].statements",
		"steps[].resume_from?", "steps[].sql?", "steps[].sql[].line?", "steps[].sql[].text?"},
	"new":     {"path"},
	"resolve": {"version", "old_state", "new_state", "old_checksum", "new_checksum"},
	"version": {"version", "commit?", "go"},
	"wait":    {"url", "attempts", "waited_ms", "database_exists"},
	"await":   {"version", "current_version", "waited_ms", "polls"},
	"check": {"ok", "exit_code", "code", "current_version", "head_version", "pending", "problems",
		"problems[].state", "problems[].version", "problems[].file", "problems[].detail", "problems[].hint"},
	"error": {"error", "error.code", "error.exit_code", "error.message", "error.file?", "error.line?",
		"error.statement?", "error.server_code?", "error.server_message?", "error.outcome?", "error.holder?",
		"error.problems?", "error.problems[].state?", "error.problems[].version?", "error.problems[].file?",
		"error.problems[].detail?", "error.problems[].hint?"},
}

var docRow = regexp.MustCompile("(?m)^\\| `([a-z]+)` \\| `([a-z_.\\[\\]]+)` \\| ([^|]*) \\|")

// TestJSONDocsInSync: docs/json.md and jsonFields name the same fields,
// with the same optional marks.
func TestJSONDocsInSync(t *testing.T) {
	b, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	var docs, table []string
	for _, m := range docRow.FindAllStringSubmatch(string(b), -1) {
		f := m[1] + " " + m[2]
		if strings.Contains(m[3], "optional") {
			f += "?"
		}
		docs = append(docs, f)
	}
	for cmd, fields := range jsonFields {
		for _, f := range fields {
			table = append(table, cmd+" "+f)
		}
	}
	sort.Strings(docs)
	sort.Strings(table)
	for _, f := range docs {
		if !slices.Contains(table, f) {
			t.Errorf("docs/json.md documents %q, jsonFields does not", f)
		}
	}
	for _, f := range table {
		if !slices.Contains(docs, f) {
			t.Errorf("jsonFields lists %q, docs/json.md does not", f)
		}
	}
}

// paths flattens a JSON document into field paths: "a", "a[].b", "a.b".
func paths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			paths(e, p, out)
		}
	case []any:
		for _, e := range x {
			paths(e, prefix+"[]", out)
		}
	}
}

// TestJSONDocumented runs every command with --json and checks that each
// documented field that is not optional is in its output.
func TestJSONDocumented(t *testing.T) {
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0002_half.sql", "-- strata:no-transaction\nCREATE TABLE half (id int);\nSELECT * FROM no_such_table;\n")
	outputs := map[string]result{
		"check": f.run(db.URL, "check", "--json"),
		"plan":  f.run(db.URL, "plan", "--json", "--sql"),
		"wait":  f.run(db.URL, "wait", "--json"),
		"error": f.run(db.URL, "up", "--json"),
	}
	outputs["status"] = f.run(db.URL, "status", "--json")
	outputs["resolve"] = f.run(db.URL, "resolve", "2", "--rolled-back", "--reason", "test", "--json")
	f.remove("0002_half.sql")
	f.write("0002_more.sql", "CREATE TABLE more_things (id int);\n")
	outputs["up"] = f.run(db.URL, "up", "--json")
	f.write("0003_most.sql", "CREATE TABLE most_things (id int);\n")
	outputs["run"] = strata(t, f.wd, "run", "--json", "--url", db.URL, "--dir", f.dir, "--", "true")
	outputs["await"] = f.run(db.URL, "await", "--json", "--timeout", "5s")
	outputs["new"] = f.run(db.URL, "new", "later", "--json")
	outputs["version"] = f.run(db.URL, "version", "--json")

	for cmd, fields := range jsonFields {
		r, ok := outputs[cmd]
		if !ok {
			t.Errorf("no output for %s", cmd)
			continue
		}
		var doc any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Errorf("%s --json: %v\n%s", cmd, err, r)
			continue
		}
		got := map[string]bool{}
		paths(doc, "", got)
		for _, field := range fields {
			if !strings.HasSuffix(field, "?") && !got[field] {
				t.Errorf("%s --json lacks %q\n%s", cmd, field, r)
			}
		}
	}
}
