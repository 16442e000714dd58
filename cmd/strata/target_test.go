package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestTargetNamed: every command that runs against a database names it,
// redacted: a "database target=..." line on stderr (stdout stays the
// result) and a "target" field in its JSON, the error document included.
// The password never shows.
func TestTargetNamed(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			url, redacted, pw := db.URL, db.URL, ""
			if kind != "sqlite" {
				pw = "pw-" + randomHex(8)
				var name string
				name, url = dbUser(t, kind, db, pw, migrationUser(kind)...)
				redacted = strings.Replace(url, pw, "xxxxx", 1)
				if !strings.Contains(redacted, name+":xxxxx@") {
					t.Fatalf("cannot redact %s", redacted)
				}
			}
			f := newFolder(t)
			f.write("0001_create_users.sql", createUsers)
			for _, args := range [][]string{{"up"}, {"status"}, {"plan"}, {"check"}, {"history", "1"}, {"wait"}} {
				r := f.run(url, args...)
				want(t, r, 0, "database target=", redacted)
				if strings.Contains(r.stdout, "target=") {
					t.Errorf("%v: the target line is on stdout, where scripts read the result:\n%s", args, r)
				}
				r = f.run(url, append(args, "--json")...)
				want(t, r, 0)
				var doc struct{ Target string }
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Target != redacted {
					t.Errorf("%v --json: target %q, want %q (%v)\n%s", args, doc.Target, redacted, err, r)
				}
				if pw != "" && strings.Contains(r.stdout+r.stderr, pw) {
					t.Errorf("%v: the password is in the output:\n%s", args, r)
				}
			}
			// The error document names the target too.
			f.write("0002_bad.sql", "CREATE TABLE (;\n")
			r := f.run(url, "up", "--json")
			want(t, r, 4)
			var doc struct{ Target string }
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Target != redacted {
				t.Errorf("up --json error: target %q, want %q\n%s", doc.Target, redacted, r)
			}
			if pw != "" && strings.Contains(r.stdout+r.stderr, pw) {
				t.Errorf("the password is in the error:\n%s", r)
			}
		})
	}
}

// TestDefaultDatabase: with no database given, up says on stderr that it
// uses the local default sqlite:strata.db (and still works, for local use;
// before it, plan and status read the absent file as empty);
// run, check, await, wait and a fleet that reads --url refuse with exit 2,
// naming the ways to give one, and create no file.
func TestDefaultDatabase(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	refused := [][]string{
		{"run", "--", "true"},
		{"check"},
		{"await", "--timeout", "1s"},
		{"wait"},
		{"status", "--targets-query", "SELECT 'sqlite:x.db'"},
		{"up", "--targets-schemas", "tenant_%"},
	}
	for _, args := range refused {
		r := strata(t, f.wd, append(args, "--dir", f.dir)...)
		want(t, r, 2, "no database given", "--url", "STRATA_DATABASE_URL", "DATABASE_URL", "strata.toml")
	}
	if _, err := os.Stat(filepath.Join(f.wd, "strata.db")); !os.IsNotExist(err) {
		t.Fatalf("a refused command created strata.db (%v)", err)
	}

	// Before the first up, the implicit default reads as empty (the
	// README's plan --sql), and read-only commands still create nothing.
	want(t, strata(t, f.wd, "plan", "--dir", f.dir), 0, "using the local default sqlite:strata.db", "0001_create_users.sql")
	want(t, strata(t, f.wd, "status", "--dir", f.dir), 0, "using the local default sqlite:strata.db")
	if _, err := os.Stat(filepath.Join(f.wd, "strata.db")); !os.IsNotExist(err) {
		t.Fatalf("a read-only command created strata.db (%v)", err)
	}

	r := strata(t, f.wd, "up", "--dir", f.dir)
	want(t, r, 0, "no database given (--url, STRATA_DATABASE_URL, DATABASE_URL, url in strata.toml): using the local default sqlite:strata.db")
	if strings.Contains(r.stdout, "no database given") {
		t.Errorf("the default's warning is on stdout:\n%s", r)
	}
	want(t, strata(t, f.wd, "status", "--dir", f.dir), 0, "using the local default sqlite:strata.db")

	// Given by the environment or the configuration file, it is explicit.
	env := []string{"DATABASE_URL=sqlite:strata.db"}
	r = strataEnv(t, f.wd, env, "check", "--dir", f.dir)
	want(t, r, 0, "database target=sqlite:strata.db from=\"env DATABASE_URL\"")
	if strings.Contains(r.stderr, "local default") {
		t.Errorf("DATABASE_URL is given, yet strata warns about the default:\n%s", r)
	}
	if err := os.WriteFile(filepath.Join(f.wd, "strata.toml"), []byte("url = \"sqlite:strata.db\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want(t, strata(t, f.wd, "check", "--dir", f.dir), 0, "database target=sqlite:strata.db")
}

// TestSQLiteErrorNamesSQLite: PostgreSQL SQL run on SQLite fails with a
// message that says the database is SQLite.
func TestSQLiteErrorNamesSQLite(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_pg.sql", "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (id)) PARTITION BY RANGE (id);\n")
	r := f.run(db.URL, "up")
	want(t, r, 4, "sqlite error", "syntax error")
}
