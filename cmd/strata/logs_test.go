package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// logRecords parses --log-format json lines from stderr.
func logRecords(t *testing.T, r result) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue // the final "error: ..." line
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func findLog(recs []map[string]any, msg string) map[string]any {
	for _, m := range recs {
		if m["msg"] == msg {
			return m
		}
	}
	return nil
}

// TestLogsAndProgress: a slow statement gets "still running" lines (with a
// short hidden interval), in text and in JSON; JSON logs carry the
// library's events and the wait attempts.
func TestLogsAndProgress(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	f := newFolder(t)
	f.write("0001_slow.sql", "SELECT 1;\nSELECT pg_sleep(1);\n")
	r := f.run(db.URL, "up", "--log-format", "json", "--progress-interval", "300ms")
	want(t, r, 0)
	recs := logRecords(t, r)
	for _, msg := range []string{"took the migration lock", "migration started", "migration done"} {
		if m := findLog(recs, msg); m == nil || (msg != "took the migration lock" && m["file"] != "migrations/0001_slow.sql") {
			t.Errorf("no %q record with the file:\n%s", msg, r.stderr)
		}
	}
	m := findLog(recs, "statement still running")
	if m == nil || m["file"] != "migrations/0001_slow.sql" || m["statement"] != float64(2) || m["line"] != float64(2) || m["elapsed"] == nil {
		t.Fatalf("still-running record = %v\n%s", m, r.stderr)
	}
	if n := strings.Count(r.stderr, "statement still running"); n < 2 || n > 4 {
		t.Errorf("%d still-running lines for a 1s statement every 300ms:\n%s", n, r.stderr)
	}

	f.write("0002_slow.sql", "SELECT pg_sleep(0.8);\n")
	r = f.run(db.URL, "up", "--progress-interval", "300ms")
	want(t, r, 0, "statement still running file=migrations/0002_slow.sql statement=1 line=1 elapsed=")
	f.write("0003_quick.sql", "SELECT 1;\n")
	if r = f.run(db.URL, "up"); strings.Contains(r.stderr, "still running") {
		t.Errorf("a quick statement was reported as still running:\n%s", r)
	}

	r = f.run("postgres://postgres@127.0.0.1:1/x", "status", "--wait", "500ms", "--log-format", "json")
	want(t, r, 6)
	m = findLog(logRecords(t, r), "waiting for the database")
	if m == nil || m["url"] != "postgres://postgres@127.0.0.1:1/x" || m["attempt"] != float64(1) || m["error"] == nil || m["retry_in"] == nil {
		t.Errorf("wait attempt record = %v\n%s", m, r.stderr)
	}
	want(t, f.run(db.URL, "status", "--log-format", "yaml"), 2, "--log-format")
}
