package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestLintCommand drives strata lint on files, on --all and on the pending
// files of a database, in each output format.
func TestLintCommand(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, email text);\n")
	f.write("0002_risky.sql", "-- strata:lint-ignore drop-table unused since 2.1\nDROP TABLE old_users;\nALTER TABLE users ADD COLUMN age int NOT NULL;\nCREATE INDEX users_email ON users (email);\n")

	r := strata(t, f.wd, "lint", "--dialect", "postgres", "migrations/0002_risky.sql")
	want(t, r, 1, "migrations/0002_risky.sql:3: error:", "[add-column-not-null]", "migrations/0002_risky.sql:4: warning:", "[index-concurrently]")
	if strings.Contains(r.stdout, "[drop-table]") {
		t.Errorf("lint-ignore did not silence drop-table:\n%s", r)
	}

	r = strata(t, f.wd, "lint", "--dialect", "postgres", "--severity", "add-column-not-null=warning", "--format", "github", "migrations/0002_risky.sql")
	want(t, r, 0, "::warning file=migrations/0002_risky.sql,line=3,title=strata lint add-column-not-null::")

	r = strata(t, f.wd, "lint", "--dialect", "postgres", "--json", "migrations/0001_users.sql", "migrations/0002_risky.sql")
	var out struct {
		Files, Errors int
		Findings      []struct {
			Rule, Severity, File string
			Line                 int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 || out.Files != 2 || out.Errors != 0 {
		t.Fatalf("--json: %v %+v\n%s", err, out, r)
	}
	for _, fd := range out.Findings {
		if fd.Rule == "index-concurrently" || fd.Rule == "add-column-not-null" {
			t.Errorf("users is created by the first file of the set, so changing it is safe: %+v", fd)
		}
	}

	// --all lints each file on its own, without a database.
	r = strata(t, f.wd, "lint", "--all", "--dir", "migrations", "--url", "postgres://nobody@127.0.0.1:1/none")
	want(t, r, 1, "2 files", "[index-concurrently]")

	// A severity from strata.toml.
	if err := os.WriteFile(filepath.Join(f.wd, "strata.toml"), []byte("severity = [\"add-column-not-null=off\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = strata(t, f.wd, "lint", "--dialect", "postgres", "migrations/0002_risky.sql")
	want(t, r, 0, "[index-concurrently]")

	r = strata(t, f.wd, "lint", "--dialect", "postgres", "--severity", "nope=off", "migrations/0002_risky.sql")
	want(t, r, 2, "unknown lint rule \"nope\"")
}

// TestLintPendingAndPlan lints the pending files of a database, and shows
// that plan lists the same findings.
func TestLintPendingAndPlan(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n")
	want(t, f.run(db.URL, "up"), 0)
	f.write("0002_wipe.sql", "DELETE FROM users;\n")
	r := f.run(db.URL, "lint")
	want(t, r, 1, "migrations/0002_wipe.sql:1: error: DELETE without WHERE", "1 file")
	r = f.run(db.URL, "plan")
	want(t, r, 0, "0002_wipe.sql", "lint (strata lint", "[delete-without-where]")
}

// TestLintMySQLComments: lint reads a MySQL file as the splitter sends it
// and the server runs it. The inside of an executable comment
// (/*!40000 ... */) is code, so DROP TABLE there is found; "--x" (no space
// after the dashes) is not a comment in MySQL, so the WHERE after it
// counts. Applying the same files on MariaDB shows the server agrees.
func TestLintMySQLComments(t *testing.T) {
	t.Parallel()
	db := testdb.MySQL(t)
	f := newFolder(t)
	f.write("0001_accounts.sql", "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);\nCREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO accounts VALUES (1, 10), (7, 10);\n")
	f.write("0002_credit.sql", "UPDATE accounts SET balance = balance --1 WHERE id = 7;\n")
	f.write("0003_drop.sql", "/*!40000 DROP TABLE users */;\n")

	r := strata(t, f.wd, "lint", "--dialect", "mysql", "migrations/0002_credit.sql")
	want(t, r, 0)
	if strings.Contains(r.stdout, "update-without-where") {
		t.Errorf("--1 in MySQL is minus minus one, not a comment: the UPDATE has a WHERE\n%s", r)
	}
	r = strata(t, f.wd, "lint", "--dialect", "mysql", "migrations/0003_drop.sql")
	want(t, r, 1, "migrations/0003_drop.sql:1: error:", "[drop-table]")

	// The same text is a comment in PostgreSQL: the UPDATE has no WHERE there.
	r = strata(t, f.wd, "lint", "--dialect", "postgres", "migrations/0002_credit.sql")
	want(t, r, 1, "[update-without-where]")

	want(t, f.run(db.URL, "up"), 0)
	conn := db.Open(t)
	var one, seven int
	if err := conn.QueryRow("SELECT (SELECT balance FROM accounts WHERE id = 1), (SELECT balance FROM accounts WHERE id = 7)").Scan(&one, &seven); err != nil {
		t.Fatal(err)
	}
	if one != 10 || seven != 11 {
		t.Errorf("balances after up: id 1 = %d (want 10), id 7 = %d (want 11): the server reads --1 as minus minus one", one, seven)
	}
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'users'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the executable comment's DROP TABLE did not run on the server")
	}
}

// TestLintPsqlMetaCommandIsError: a psql meta-command makes up refuse the
// file, so lint reports it as an error (exit 1), not a warning.
func TestLintPsqlMetaCommandIsError(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	f := newFolder(t)
	f.write("0001_include.sql", "CREATE TABLE included (id int);\n\\i other.sql\n")
	r := strata(t, f.wd, "lint", "--dialect", "postgres", "migrations/0001_include.sql")
	want(t, r, 1, "migrations/0001_include.sql:2: error:", "[psql-meta-command]")
	r = strata(t, f.wd, "lint", "--all", "--dir", "migrations", "--url", db.URL)
	want(t, r, 1, "migrations/0001_include.sql:2: error:", "[psql-meta-command]")

	r = f.run(db.URL, "up")
	if r.code == 0 {
		t.Fatalf("up ran a file with a psql meta-command:\n%s", r)
	}
	if !strings.Contains(r.stdout+r.stderr, "0001_include.sql:2") {
		t.Errorf("up's error does not name the file and line:\n%s", r)
	}
	if tableExists(db.Open(t), "included") {
		t.Error("up applied part of a file it refused")
	}
}
