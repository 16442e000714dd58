package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// jsonFields lists the fields of each command's --json document, as
// docs/json.md documents them; "?" marks a field left out when empty. A
// key is a command's path ("up"), or its path and the flag that makes it
// print another document ("up --targets", "plan --down"); "error" is the
// error document of every command.
var jsonFields = map[string][]string{
	"up": {"target", "applied", "applied[].version", "applied[].name", "applied[].file", "applied[].duration_ms",
		"applied[].statements", "applied[].transactional", "current_version", "ahead", "lock_wait_ms",
		"phase", "skipped", "skipped[].version?", "skipped[].file?", "skipped[].phase?", "skipped[].behind?"},
	"run": {"target", "applied", "current_version", "ahead", "lock_wait_ms", "phase", "skipped"},
	"status": {"target", "current_version", "pending", "ahead", "migrations", "migrations[].version", "migrations[].name",
		"migrations[].file", "migrations[].state", "migrations[].phase", "migrations[].checksum", "migrations[].applied_at",
		"migrations[].duration_ms", "migrations[].error", "migrations[].statements_applied",
		"migrations[].statements_total", "migrations[].last_line?", "migrations[].next_line?", "migrations[].executing?"},
	"plan": {"target", "dialect", "tx_mode", "transactional_ddl", "current_version", "ahead", "steps", "steps[].version",
		"steps[].name", "steps[].file", "steps[].transactional", "steps[].reason?", "steps[].statements",
		"steps[].resume_from?", "steps[].rerun?", "steps[].sql?", "steps[].sql[].line?", "steps[].sql[].text?",
		"lint", "lint[].rule", "lint[].severity", "lint[].file", "lint[].line", "lint[].message", "lint[].statement?",
		"phase", "skipped"},
	"down": {"target", "rolled_back", "rolled_back[].version", "rolled_back[].name", "rolled_back[].file",
		"rolled_back[].duration_ms", "rolled_back[].statements", "rolled_back[].transactional",
		"current_version", "lock_wait_ms"},
	"down --dry-run": {"target", "direction", "dialect", "tx_mode", "transactional_ddl", "current_version", "version_after",
		"steps", "steps[].version", "steps[].name", "steps[].file", "steps[].transactional", "steps[].reason?",
		"steps[].statements"},
	"plan --down": {"target", "direction", "dialect", "tx_mode", "transactional_ddl", "current_version", "version_after", "steps"},
	"redo": {"target", "rolled_back", "rolled_back[].version", "rolled_back[].name", "rolled_back[].file",
		"rolled_back[].duration_ms", "rolled_back[].statements", "rolled_back[].transactional",
		"applied", "applied[].version", "applied[].name", "applied[].file", "applied[].duration_ms",
		"applied[].statements", "applied[].transactional", "current_version", "lock_wait_ms"},
	"baseline": {"target", "version", "recorded", "skipped", "lock_wait_ms"},
	"history": {"target", "version", "name", "file", "state", "checksum", "recorded_checksum", "kind", "applied_at",
		"applied_by", "duration_ms", "statements_applied", "statements_total", "error", "audit", "audit[].seq",
		"audit[].action", "audit[].old_state", "audit[].new_state", "audit[].old_checksum", "audit[].new_checksum",
		"audit[].reason", "audit[].by", "audit[].at", "audit[].detail", "audit[].strata_version"},
	"config": {"target", "config_file", "settings", "settings[].name", "settings[].value", "settings[].source",
		"settings[].source.kind", "settings[].source.name?"},
	"doctor": {"target", "ok", "checks", "checks[].name", "checks[].status", "checks[].detail", "checks[].hint?"},
	"lint": {"target?", "files", "errors", "warnings", "findings", "findings[].rule", "findings[].severity", "findings[].file",
		"findings[].line", "findings[].message", "findings[].statement?"},
	"verify": {"target", "ok", "scratch_database", "files", "files[].phase", "files[].file", "files[].version", "files[].ok",
		"files[].duration_ms", "files[].error?", "files[].line?", "leftovers", "dropped_stale", "schema_changes?"},
	"rehearse": {"target", "ok", "files", "files[].file", "files[].version", "files[].rehearsed", "files[].ok",
		"files[].duration_ms", "files[].reason?", "files[].error?"},
	"drift": {"target", "drift", "against", "snapshot", "snapshot.version?", "snapshot.hash?", "snapshot.taken_at?",
		"snapshot.taken_by?", "snapshot.reason?", "current_version?", "stale", "live_hash?", "changes", "changes[].op",
		"changes[].kind", "changes[].name", "changes[].attrs?", "changes[].attrs[].op?", "changes[].attrs[].key?",
		"changes[].attrs[].old?", "changes[].attrs[].new?"},
	"schema dump":            {"target", "hash", "objects", "text?", "file?"},
	"resolve --accept-drift": {"target", "accepted", "version", "hash", "old_hash?", "changes"},
	"compat": {"target", "ok", "queries", "pending", "broken", "broken[].query", "broken[].query_file", "broken[].query_line",
		"broken[].kind", "broken[].file", "broken[].version", "broken[].line", "broken[].code?", "broken[].message",
		"broken[].table?", "broken[].columns?", "failing_before", "error?", "checking_ms"},
	"import": {"target", "tool", "evidence?", "tool_table", "apply", "files", "files[].old", "files[].new",
		"files[].tool_version", "files[].state", "files[].why", "files[].applied_at?", "sql", "recorded", "skipped"},
	"import --check": {"target", "agree", "tool_table", "differs"},
	"new":            {"path", "down_path?", "phase?"},
	"resolve":        {"target", "version", "old_state", "new_state", "old_checksum", "new_checksum"},
	"version":        {"version", "commit?", "go"},
	"wait":           {"target", "url", "attempts", "waited_ms", "database_exists"},
	"await":          {"target", "version", "current_version", "ahead", "waited_ms", "polls"},
	"check": {"target", "ok", "exit_code", "code", "current_version", "head_version", "ahead", "pending", "problems",
		"problems[].state", "problems[].version", "problems[].file", "problems[].detail", "problems[].hint", "phase"},
	"up --targets": {"fleet", "shard?", "total", "ok", "failed", "skipped", "targets", "targets[].target",
		"targets[].url", "targets[].outcome", "targets[].current_version", "targets[].ahead", "targets[].applied",
		"targets[].duration_ms", "targets[].error", "targets[].error.code?", "targets[].error.exit_code?",
		"targets[].error.message?"},
	"status --targets": {"fleet", "shard?", "total", "versions", "states", "targets", "targets[].target",
		"targets[].url", "targets[].state", "targets[].current_version", "targets[].head_version",
		"targets[].pending", "targets[].ahead", "targets[].problems", "targets[].problems[].state", "targets[].problems[].version",
		"targets[].problems[].file", "targets[].problems[].detail", "targets[].problems[].hint",
		"targets[].error", "targets[].error.code?", "targets[].error.exit_code?", "targets[].error.message?"},
	"check --targets": {"fleet", "shard?", "total", "versions", "states", "targets", "ok", "exit_code", "code?"},
	"error": {"target?", "error", "error.code", "error.exit_code", "error.message", "error.file?", "error.line?",
		"error.statement?", "error.server_code?", "error.server_message?", "error.outcome?", "error.holder?",
		"error.problems?", "error.problems[].state?", "error.problems[].version?", "error.problems[].file?",
		"error.problems[].detail?", "error.problems[].hint?"},
}

var docRow = regexp.MustCompile("(?m)^\\| `([a-z][a-z -]*)` \\| `([a-z_.\\[\\]]+)` \\| ([^|]*) \\|")

// TestJSONDocsInSync: docs/json.md and jsonFields name the same fields,
// with the same optional marks.
func TestJSONDocsInSync(t *testing.T) {
	t.Parallel()
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
// documented field that is not optional is in its output. Fleet documents
// are TestJSONFleetDocumented's.
func TestJSONDocumented(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0002_half.sql", "-- strata:no-transaction\nCREATE TABLE half (id int);\nSELECT * FROM no_such_table;\n")
	outputs := map[string]result{
		"check": f.run(db.URL, "check", "--json"),
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
	var created struct{ Path string }
	if err := json.Unmarshal([]byte(outputs["new"].stdout), &created); err != nil || created.Path == "" {
		t.Fatalf("new --json: %v\n%s", err, outputs["new"])
	}
	if !filepath.IsAbs(created.Path) {
		created.Path = filepath.Join(f.wd, created.Path)
	}
	if err := os.Remove(created.Path); err != nil {
		t.Fatal(err)
	}

	// Version 3 is applied: roll it back and forth, then look at its row.
	f.write("0003_most.down.sql", "DROP TABLE most_things;\n")
	outputs["plan --down"] = f.run(db.URL, "plan", "--down", "--json")
	outputs["down --dry-run"] = f.run(db.URL, "down", "--dry-run", "--json")
	outputs["redo"] = f.run(db.URL, "redo", "--json")
	outputs["down"] = f.run(db.URL, "down", "--reason", "test", "--json")
	outputs["baseline"] = f.run(db.URL, "baseline", "3", "--force", "--reason", "test", "--json")
	outputs["history"] = f.run(db.URL, "history", "3", "--json") // audit: down, baseline
	outputs["config"] = f.run(db.URL, "config", "--json")
	outputs["doctor"] = f.run(db.URL, "doctor", "--json")
	// A pending file that drops a column of an applied table: a finding
	// for lint and for plan.
	f.write("0004_drop_email.sql", "ALTER TABLE users DROP COLUMN email;\n")
	outputs["lint"] = f.run(db.URL, "lint", "--json")
	outputs["rehearse"] = f.run(db.URL, "rehearse", "--json")
	outputs["verify"] = f.run(db.URL, "verify", "--json")
	outputs["plan"] = f.run(db.URL, "plan", "--json", "--sql")
	if err := os.WriteFile(filepath.Join(f.wd, "queries.sql"), []byte("SELECT id, email FROM users WHERE id = ?;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outputs["compat"] = f.run(db.URL, "compat", "--queries", "queries.sql", "--json")

	codes := map[string]int{"check": 10, "error": 4, "lint": 1, "compat": 16}
	for cmd, r := range outputs {
		if r.code != codes[cmd] {
			t.Errorf("%s: exit %d, want %d\n%s", cmd, r.code, codes[cmd], r)
		}
	}
	checkDocumented(t, outputs, func(cmd string) bool {
		return !strings.HasSuffix(cmd, " --targets") && !driftJSON[cmd] && !strings.HasPrefix(cmd, "import")
	})
}

// driftJSON are the documents TestJSONDriftDocumented checks (on
// PostgreSQL, whose schema strata reads).
var driftJSON = map[string]bool{"drift": true, "schema dump": true, "resolve --accept-drift": true}

// TestJSONFleetDocumented runs up, status and check on a fleet of two
// SQLite databases, then edits an applied file so that status and check
// have problems to list, and checks the documented fields.
func TestJSONFleetDocumented(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	targets := writeTargets(t, f.wd, []string{testdb.New(t, "sqlite").URL, testdb.New(t, "sqlite").URL})
	fleet := func(cmd string) result {
		return strata(t, f.wd, cmd, "--targets", targets, "--dir", f.dir, "--json")
	}
	outputs := map[string]result{"up --targets": fleet("up")}
	f.write("0001_create_users.sql", createUsers+"CREATE TABLE edited (id int);\n")
	f.write("0002_more.sql", "CREATE TABLE more_things (id int);\n")
	outputs["status --targets"] = fleet("status")
	outputs["check --targets"] = fleet("check")
	for cmd, want := range map[string]int{"up --targets": 0, "status --targets": 0, "check --targets": 11} {
		if r := outputs[cmd]; r.code != want {
			t.Errorf("%s: exit %d, want %d\n%s", cmd, r.code, want, r)
		}
	}
	checkDocumented(t, outputs, func(cmd string) bool { return strings.HasSuffix(cmd, " --targets") })
}

// checkDocumented checks that outputs[cmd] is one JSON document holding
// every field of jsonFields[cmd] not marked optional, for each cmd that
// mine selects.
func checkDocumented(t *testing.T, outputs map[string]result, mine func(cmd string) bool) {
	t.Helper()
	for cmd, fields := range jsonFields {
		if !mine(cmd) {
			continue
		}
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

// jsonExempt are the commands without a JSON document of their own, and
// why. Every other command needs a table in docs/json.md and an entry in
// jsonFields.
var jsonExempt = map[string]string{
	"help":       "prints help text",
	"completion": "prints a shell script",
}

// TestJSONEveryCommand walks the real command tree: every command (and
// every fleet command, with --targets) has its JSON documented, and every
// jsonFields key names a command and flags that exist.
func TestJSONEveryCommand(t *testing.T) {
	t.Parallel()
	cmds := leafCommands(t)
	for path, c := range cmds {
		if _, ok := jsonExempt[path]; ok {
			if _, documented := jsonFields[path]; documented {
				t.Errorf("strata %s is documented in jsonFields: remove it from jsonExempt", path)
			}
			continue
		}
		if _, ok := jsonFields[path]; !ok {
			t.Errorf("strata %s has no JSON documented: add its table to docs/json.md and its fields to jsonFields", path)
		}
		if c.Flags().Lookup("targets") != nil {
			if _, ok := jsonFields[path+" --targets"]; !ok {
				t.Errorf("strata %s --targets has no JSON documented: add its table to docs/json.md and its fields to jsonFields", path)
			}
		}
	}
	for key := range jsonFields {
		if key == "error" {
			continue
		}
		path, flags, _ := strings.Cut(key, " --")
		c, ok := cmds[path]
		if !ok {
			t.Errorf("jsonFields documents %q, but strata has no command %q", key, path)
			continue
		}
		if flags != "" && c.Flags().Lookup(flags) == nil {
			t.Errorf("jsonFields documents %q, but strata %s has no flag --%s", key, path, flags)
		}
	}
}

// TestJSONImportDocumented (not TestJSONDocumented: import needs another
// tool's history table) runs import (dry run, then --apply) and
// import --check on a SQLite database holding a goose history table and
// checks their documented fields.
func TestJSONImportDocumented(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	conn := db.Open(t)
	for _, s := range []string{
		"CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))",
		"INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1)",
		"CREATE TABLE a (id int)",
	} {
		if _, err := conn.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	wd := t.TempDir()
	if err := os.MkdirAll(filepath.Join(wd, "goose"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wd, "goose", "00001_a.sql"), []byte("-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	imp := func(extra ...string) result {
		return strata(t, wd, append([]string{"import", "goose", "--from", "goose", "--to", "migrations", "--url", db.URL, "--json"}, extra...)...)
	}
	outputs := map[string]result{"import": imp()}
	want(t, imp("--apply"), 0, `"apply": true`)
	outputs["import --check"] = imp("--check")
	for cmd, r := range outputs {
		if r.code != 0 {
			t.Errorf("%s: exit %d\n%s", cmd, r.code, r)
		}
	}
	checkDocumented(t, outputs, func(cmd string) bool { return strings.HasPrefix(cmd, "import") })
}
