package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestForeignCommands: commands people type from goose, golang-migrate,
// dbmate, Flyway and friends point to strata's own, with exit 2.
func TestForeignCommands(t *testing.T) {
	t.Parallel()
	wd := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "add", "users"}, "strata has no create command: use strata new add users"},
		{[]string{"migrate"}, "strata has no migrate command: use strata up"},
		{[]string{"migrate", "--url", "sqlite:x.db", "--bogus"}, "strata has no migrate command: use strata up"},
		{[]string{"apply"}, "use strata up"},
		{[]string{"deploy"}, "use strata up"},
		{[]string{"rollback"}, "strata has no rollback command: use strata down"},
		{[]string{"reset"}, "use strata down --to 0"},
		{[]string{"info"}, "strata has no info command: use strata status"},
		{[]string{"validate"}, "use strata check"},
		{[]string{"init"}, "strata new DESCRIPTION creates the migrations folder"},
		{[]string{"force", "3"}, "use strata resolve 3 --applied (or --rolled-back)"},
		{[]string{"fix"}, "strata resolve VERSION --rolled-back"},
		{[]string{"repair"}, "strata resolve VERSION --accept-edit"},
		{[]string{"goto", "7"}, "use strata up --to 7"},
		{[]string{"version", "3"}, "strata status shows the database's version, strata up --to 3"},
	} {
		r := strata(t, wd, tt.args...)
		want(t, r, 2, tt.want)
		if strings.Contains(r.stderr, "unknown command") {
			t.Errorf("%v: cobra's message instead of the pointer:\n%s", tt.args, r)
		}
	}
	// The pointers are not listed in help.
	if r := strata(t, wd, "--help"); strings.Contains(r.stdout, "rollback") {
		t.Errorf("--help lists the pointer commands:\n%s", r.stdout)
	}
}

// TestArgumentsInWords: a missing or extra argument is explained in words,
// naming the command and what it needs.
func TestArgumentsInWords(t *testing.T) {
	t.Parallel()
	wd := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"new"}, "strata new needs a description: strata new add users table"},
		{[]string{"baseline"}, "strata baseline needs the VERSION to record as applied"},
		{[]string{"resolve"}, "strata resolve needs the VERSION to settle"},
		{[]string{"resolve", "1", "2"}, `strata resolve takes one argument, the VERSION to settle`},
		{[]string{"history"}, "strata history needs the VERSION to show"},
		{[]string{"completion"}, "strata completion needs the shell"},
		{[]string{"up", "now"}, `strata up takes no arguments; got "now"`},
		{[]string{"status", "x"}, `strata status takes no arguments; got "x"`},
		{[]string{"down", "1", "2"}, `strata down takes one argument`},
		{[]string{"plan", "1", "2"}, `strata plan takes one argument`},
	} {
		r := strata(t, wd, tt.args...)
		want(t, r, 2, tt.want)
		if strings.Contains(r.stderr, "arg(s)") {
			t.Errorf("%v: cobra's message:\n%s", tt.args, r)
		}
	}
}

// TestJSONUsageErrors: with --json, an unknown command or flag is the
// same error document as every other error, on stdout.
func TestJSONUsageErrors(t *testing.T) {
	t.Parallel()
	wd := t.TempDir()
	for _, tt := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--json", "bogus"}, nil, `unknown command "bogus"`},
		{[]string{"bogus", "--json"}, nil, `unknown command "bogus"`},
		{[]string{"status", "--json", "--bogus"}, nil, "unknown flag: --bogus"},
		{[]string{"--bogus", "--json", "status"}, nil, "unknown flag: --bogus"},
		{[]string{"rollback", "--json"}, nil, "strata has no rollback command"},
		{[]string{"new", "--json"}, nil, "strata new needs a description"},
		{[]string{"bogus"}, []string{"STRATA_JSON=true"}, `unknown command "bogus"`},
	} {
		r := strataEnv(t, wd, tt.env, tt.args...)
		want(t, r, 2)
		e := parseError(t, r)
		if e.Error.Code != "usage" || e.Error.ExitCode != 2 || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("%v: error = %+v", tt.args, e.Error)
		}
	}
	// Without --json the error stays text, and "--json" after -- is not ours.
	if r := strata(t, wd, "bogus", "--", "--json"); strings.TrimSpace(r.stdout) != "" || r.code != 2 {
		t.Errorf("text error printed JSON:\n%s", r)
	}
}

// TestConfigDidYouMean: an unknown key in strata.toml is an error naming
// the line and the closest key.
func TestConfigDidYouMean(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (x int);\n")
	for _, tt := range []struct{ toml, want string }{
		{"dir = \"migrations\"\nlock_timeout = \"5s\"\n", `strata.toml:2: unknown key "lock_timeout": did you mean "lock-timeout"?`},
		{"dri = \"migrations\"\n", `strata.toml:1: unknown key "dri": did you mean "dir"?`},
		{"colour = true\n", `strata.toml:1: unknown key "colour": use one of the known keys`},
	} {
		if err := os.WriteFile(filepath.Join(f.wd, "strata.toml"), []byte(tt.toml), 0o644); err != nil {
			t.Fatal(err)
		}
		r := strata(t, f.wd, "status", "--url", "sqlite:x.db")
		want(t, r, 2, tt.want)
		if _, err := os.Stat(filepath.Join(f.wd, "x.db")); err == nil {
			t.Fatalf("status ran despite the bad configuration file")
		}
	}
}

// TestDownAllNeedsYes: down --to 0 without a terminal refuses unless
// --yes, before touching the database.
func TestDownAllNeedsYes(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_a.sql", "CREATE TABLE a (x int);\n")
			f.write("0001_a.down.sql", "DROP TABLE a;\n")
			f.write("0002_b.sql", "CREATE TABLE b (x int);\n")
			f.write("0002_b.down.sql", "DROP TABLE b;\n")
			want(t, f.run(db.URL, "up"), 0)
			r := f.run(db.URL, "down", "--to", "0")
			want(t, r, 2, "down --to 0 rolls back every applied migration", "pass --yes")
			if st := f.status(db.URL); st.CurrentVersion != "2" || st.Pending != 0 {
				t.Fatalf("refused down changed the database: %+v", st)
			}
			e := parseError(t, f.run(db.URL, "down", "--to", "0", "--json"))
			if e.Error.Code != "usage" {
				t.Errorf("--json error = %+v", e.Error)
			}
			// A dry run and a partial roll-back need no confirmation.
			want(t, f.run(db.URL, "down", "--to", "0", "--dry-run"), 0, "2 migrations to roll back")
			want(t, f.run(db.URL, "down", "--to", "1"), 0, "rolled back 1 migration")
			want(t, f.run(db.URL, "up"), 0)
			want(t, f.run(db.URL, "down", "--to", "0", "--yes"), 0, "rolled back 2 migrations", "no migrations applied")
			if st := f.status(db.URL); st.Pending != 2 {
				t.Fatalf("after down --to 0 --yes: %+v", st)
			}
		})
	}
}

// resumeHistoryJSON is `strata history VERSION --json` output, the audit part.
type resumeHistoryJSON struct {
	State string `json:"state"`
	Audit []struct {
		Action      string `json:"action"`
		OldState    string `json:"old_state"`
		NewState    string `json:"new_state"`
		OldChecksum string `json:"old_checksum"`
		NewChecksum string `json:"new_checksum"`
		Detail      string `json:"detail"`
		By          string `json:"by"`
	} `json:"audit"`
}

// TestResumeAudit: up --resume of a file whose failed statement was
// changed records an audit entry with both checksums.
func TestResumeAudit(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_a.sql", "-- strata:no-transaction\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\nINSERT INTO no_such_table VALUES (1);\n")
		want(t, f.run(db.URL, "up"), 4, "0001_a.sql:4")
		f.write("0001_a.sql", "-- strata:no-transaction\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\nCREATE TABLE c (x int);\n")
		want(t, f.run(db.URL, "up", "--resume"), 0, "applied migrations/0001_a.sql")
		r := f.run(db.URL, "history", "1", "--json")
		want(t, r, 0)
		var h resumeHistoryJSON
		if err := json.Unmarshal([]byte(r.stdout), &h); err != nil {
			t.Fatalf("history --json: %v\n%s", err, r)
		}
		if h.State != "applied" || len(h.Audit) != 1 {
			t.Fatalf("history = %+v", h)
		}
		e := h.Audit[0]
		if e.Action != "resume" || e.OldState != "partial" || e.OldChecksum == "" || e.NewChecksum == "" || e.OldChecksum == e.NewChecksum || e.By == "" {
			t.Errorf("audit entry = %+v", e)
		}
		if !strings.Contains(e.Detail, "at statement 3 of 3") || !strings.Contains(e.Detail, "the file changed since it stopped") {
			t.Errorf("audit detail = %q", e.Detail)
		}
		want(t, f.run(db.URL, "history", "1"), 0, "resume")
	})
}

// TestNewWritesUsefulFile: strata new writes the conventions, a down file
// on request, readable names and the folder's numbering.
func TestNewWritesUsefulFile(t *testing.T) {
	t.Parallel()
	wd := t.TempDir()
	dir := filepath.Join(wd, "db")
	r := strata(t, wd, "new", "--dir", "db", "--down", "Café", "Größe")
	want(t, r, 0)
	up, down := filepath.Join("db", "0001_cafe_grosse.sql"), filepath.Join("db", "0001_cafe_grosse.down.sql")
	if got := strings.Fields(r.stdout); len(got) != 2 || got[0] != up || got[1] != down {
		t.Fatalf("printed %q, want %s and %s", r.stdout, up, down)
	}
	b, err := os.ReadFile(filepath.Join(wd, up))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"in a transaction", "-- strata:no-transaction", "0001_cafe_grosse.down.sql", "do not edit it"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("the new file does not say %q:\n%s", s, b)
		}
	}
	if b, err := os.ReadFile(filepath.Join(wd, down)); err != nil || !strings.Contains(string(b), "undoes 0001_cafe_grosse.sql") {
		t.Errorf("down file: %q, %v", b, err)
	}
	// Zero-padded folders get the next number with the same width.
	if err := os.WriteFile(filepath.Join(dir, "00007_x.sql"), []byte("SELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want(t, strata(t, wd, "new", "--dir", "db", "next"), 0, filepath.Join("db", "00008_next.sql"))
	// --timestamp: YYYYMMDDHHMMSS; a folder of timestamps keeps using them.
	r = strata(t, wd, "new", "--dir", "db", "--timestamp", "stamped")
	want(t, r, 0)
	ts := regexp.MustCompile(`^db/(\d{14})_stamped\.sql$`)
	m := ts.FindStringSubmatch(strings.TrimSpace(r.stdout))
	if m == nil {
		t.Fatalf("--timestamp printed %q", r.stdout)
	}
	r = strata(t, wd, "new", "--dir", "db", "after")
	want(t, r, 0)
	if m2 := regexp.MustCompile(`^db/(\d{14})_after\.sql$`).FindStringSubmatch(strings.TrimSpace(r.stdout)); m2 == nil || m2[1] <= m[1] {
		t.Fatalf("after a timestamp, new printed %q", r.stdout)
	}
	// --json names both files.
	r = strata(t, wd, "new", "--dir", "db", "--down", "--json", "j")
	var out struct{ Path, DownPath string }
	var raw map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || !strings.HasSuffix(raw["path"], "_j.sql") || !strings.HasSuffix(raw["down_path"], "_j.down.sql") {
		t.Fatalf("new --down --json: %v %v\n%s", err, out, r)
	}
}

// TestEmptyFileWarning: a file applied before its SQL was written is
// applied with a warning that later edits are refused, and they are.
func TestEmptyFileWarning(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			want(t, strata(t, f.wd, "new", "--dir", f.dir, "later"), 0)
			f.write("0002_doc.sql", commentOnly)
			r := f.run(db.URL, "up")
			want(t, r, 0, "applied migrations/0001_later.sql")
			for _, file := range []string{"0001_later.sql", "0002_doc.sql"} {
				if !strings.Contains(r.stderr, "warning: migrations/"+file+" has no statements: it is recorded as applied, so strata will refuse later edits to it") {
					t.Errorf("no warning for %s:\n%s", file, r)
				}
			}
			// The file stays valid; editing it now is drift.
			want(t, f.run(db.URL, "check"), 0)
			b, err := os.ReadFile(filepath.Join(f.path, "0001_later.sql"))
			if err != nil {
				t.Fatal(err)
			}
			f.write("0001_later.sql", string(b)+"CREATE TABLE later (x int);\n")
			want(t, f.run(db.URL, "up"), 3, "0001_later.sql")
			// JSON logs carry the warning too.
			f.write("0003_more.sql", commentOnly)
			f.write("0001_later.sql", string(b))
			r = f.run(db.URL, "up", "--log-format", "json")
			want(t, r, 0, `"msg":"migration has no statements`)
		})
	}
}

// TestDownAllConfirmOnTerminal: on a terminal, down --to 0 lists the
// files and rolls back only after "yes". script(1) gives strata a
// terminal.
func TestDownAllConfirmOnTerminal(t *testing.T) {
	t.Parallel()
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed: no way to give strata a terminal")
	}
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (x int);\n")
	f.write("0001_a.down.sql", "DROP TABLE a;\n")
	url := "sqlite:" + filepath.Join(f.wd, "db.sqlite")
	want(t, f.run(url, "up"), 0)
	onTerminal := func(answer string) (string, int) {
		t.Helper()
		cmd := exec.Command(scriptBin, "-qec", strings.Join([]string{bin, "down", "--to", "0", "--url", url, "--dir", f.dir}, " "), "/dev/null")
		cmd.Dir, cmd.Env, cmd.Stdin = f.wd, cleanEnv(), strings.NewReader(answer)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("script: %v\n%s", err, out)
		}
		return string(out), code
	}
	out, code := onTerminal("no\n")
	if code != 2 || !strings.Contains(out, "migrations/0001_a.down.sql") || !strings.Contains(out, "not confirmed: nothing was rolled back") {
		t.Fatalf("answer no: exit %d\n%s", code, out)
	}
	if st := f.status(url); st.CurrentVersion != "1" {
		t.Fatalf("rolled back without a yes: %+v", st)
	}
	out, code = onTerminal("yes\n")
	if code != 0 || !strings.Contains(out, "type yes to roll back 1 migration") || !strings.Contains(out, "rolled back 1 migration") {
		t.Fatalf("answer yes: exit %d\n%s", code, out)
	}
	if st := f.status(url); st.CurrentVersion != "" || st.Pending != 1 {
		t.Fatalf("after yes: %+v", st)
	}
}
