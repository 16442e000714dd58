package main

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// hostile hides "DROP TABLE victim" inside a string for one backslash
// rule, and makes it a statement of its own for the other: MySQL's
// default and PostgreSQL's standard_conforming_strings=off read \' as a
// quote inside the string; NO_BACKSLASH_ESCAPES and PostgreSQL's default
// end the string at it.
func hostile(quote, victim, after string) string {
	return "INSERT INTO notes VALUES (" + quote + "); DROP TABLE " + victim + "; -- '\nINSERT INTO notes VALUES ('" + after + "');\n"
}

// TestBackslashRules: when the server reads backslashes in strings other
// than the dialect's default (MySQL NO_BACKSLASH_ESCAPES from the URL or
// --session-sql, PostgreSQL standard_conforming_strings=off from
// --session-sql, or a SET in the file itself), strata splits the file as
// the server does: plan --sql shows the hidden DROP TABLE as a statement,
// up runs and records it truthfully. A file that changes the setting in a
// way strata cannot read is refused before anything runs.
func TestBackslashRules(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"mysql", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			d := testdb.New(t, kind)
			db := d.Open(t)
			for _, v := range []string{"victim", "victim2"} {
				if _, err := db.Exec("CREATE TABLE " + v + " (id int)"); err != nil {
					t.Fatal(err)
				}
			}
			// The server's rule from the connection: the URL's sql_mode
			// (MySQL) or --session-sql (PostgreSQL).
			url, args := d.URL+"&sql_mode=%27NO_BACKSLASH_ESCAPES%27", []string(nil)
			quote, fileSet, unreadable := `'C:\'`, "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"
			if !strings.Contains(d.URL, "?") {
				url = d.URL + "?sql_mode=%27NO_BACKSLASH_ESCAPES%27"
			}
			if kind == "postgres" {
				url, args = d.URL, []string{"--session-sql", "SET standard_conforming_strings = off"}
				quote, fileSet, unreadable = `'a\''`, "SET standard_conforming_strings = off", "SELECT set_config('standard_conforming_strings', 'off', false)"
			}
			f := newFolder(t)
			f.write("0001_notes.sql", "CREATE TABLE notes (a varchar(100));\n"+hostile(quote, "victim", "ok"))
			r := f.run(url, append([]string{"plan", "--sql"}, args...)...)
			want(t, r, 0, "-- migrations/0001_notes.sql:2\nDROP TABLE victim\n")
			if kind == "mysql" { // the same from --session-sql
				r := f.run(d.URL, "plan", "--sql", "--session-sql", "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')")
				want(t, r, 0, "-- migrations/0001_notes.sql:2\nDROP TABLE victim\n")
			}
			// lint of the pending files sees the DROP TABLE too (exit 1:
			// drop-table is an error).
			want(t, f.run(url, append([]string{"lint"}, args...)...), 1, "0001_notes.sql:2", "[drop-table]")
			want(t, f.run(url, append([]string{"up"}, args...)...), 0)
			if tableExists(db, "victim") {
				t.Error("the DROP TABLE strata showed as a statement did not run")
			}
			var n int
			if err := db.QueryRow("SELECT count(*) FROM notes").Scan(&n); err != nil || n != 2 {
				t.Errorf("notes has %d rows (%v), want 2", n, err)
			}
			if h := f.history(url, "1"); h.StatementsApplied != 4 {
				t.Errorf("history records %d statements, want 4: %+v", h.StatementsApplied, h)
			}

			// The file's own SET: the rest of that file is split the new
			// way, and the next file starts with the server's rule again.
			f.write("0002_set.sql", fileSet+";\n"+hostile(quote, "victim2", "ok2"))
			after := "INSERT INTO notes VALUES ('C:\\');\n"
			if kind == "mysql" { // as mysqldump writes: save, change and restore sql_mode
				after = "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\nINSERT INTO notes VALUES ('it\\'s');\n/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n"
			}
			f.write("0003_after.sql", after)
			r = strata(t, f.wd, "plan", "--sql", "--url", d.URL, "--dir", f.dir)
			want(t, r, 0, "-- migrations/0002_set.sql:2\nDROP TABLE victim2\n")
			want(t, strata(t, f.wd, "up", "--url", d.URL, "--dir", f.dir), 0)
			if tableExists(db, "victim2") {
				t.Error("the DROP TABLE after the file's SET did not run")
			}
			if err := db.QueryRow("SELECT count(*) FROM notes").Scan(&n); err != nil || n != 5 {
				t.Errorf("notes has %d rows (%v), want 5", n, err)
			}

			// A change strata cannot read is refused before anything runs.
			f.write("0004_unreadable.sql", "CREATE TABLE before_it (id int);\n"+unreadable+";\nINSERT INTO notes VALUES ('x');\n")
			r = strata(t, f.wd, "up", "--url", d.URL, "--dir", f.dir)
			if r.code != 4 || !strings.Contains(r.stderr, "0004_unreadable.sql:2") || !strings.Contains(r.stderr, "where the file's later strings end") {
				t.Fatalf("want a refusal naming the file and line, got %s", r)
			}
			if tableExists(db, "before_it") {
				t.Error("the refused file's first statement ran")
			}
		})
	}
}
