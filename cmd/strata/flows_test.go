package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

const (
	createUsers = "-- users of the app\nCREATE TABLE users (\n  id int PRIMARY KEY,\n  email varchar(200) NOT NULL\n);\nINSERT INTO users (id, email) VALUES (1, 'a@example.com');\n"
	commentOnly = "-- This migration has no SQL; it documents a decision.\n/* and a block comment */\n"
	createPosts = "CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL);\n"
	bigVersion  = "12345678901234567890"
)

func TestUpStatusRerun(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0002_document_things.sql", commentOnly)
		f.write(bigVersion+"_create_posts.sql", createPosts)

		r := f.run(db.URL, "up")
		want(t, r, 0,
			"applied migrations/0001_create_users.sql (",
			"applied migrations/0002_document_things.sql (",
			"applied migrations/"+bigVersion+"_create_posts.sql (",
			"applied 3 migrations in ", "database is at version "+bigVersion)

		r = f.run(db.URL, "up")
		want(t, r, 0, "nothing to do: database is at version "+bigVersion)
		if strings.Contains(r.stdout, "applied migrations/") {
			t.Fatalf("re-run applied something:\n%s", r)
		}

		st := f.status(db.URL)
		if st.CurrentVersion != bigVersion || st.Pending != 0 || len(st.Migrations) != 3 {
			t.Fatalf("status = %+v", st)
		}
		wantVersions := []string{"1", "2", bigVersion}
		wantNames := []string{"create_users", "document_things", "create_posts"}
		for i, m := range st.Migrations {
			if m.Version != wantVersions[i] || m.Name != wantNames[i] || m.State != "applied" {
				t.Errorf("migration %d: version %q name %q state %q", i, m.Version, m.Name, m.State)
			}
			if len(m.Checksum) != 64 {
				t.Errorf("migration %d: checksum %q", i, m.Checksum)
			}
			if !strings.HasPrefix(m.File, "migrations/") || m.DurationMS == nil || m.Error != nil {
				t.Errorf("migration %d: file %q duration %v error %v", i, m.File, m.DurationMS, m.Error)
			}
			parseTime(t, m.AppliedAt)
		}

		// The text table names every file and its state.
		r = f.run(db.URL, "status")
		want(t, r, 0, "VERSION", "migrations/0002_document_things.sql", "applied", "database is at version "+bigVersion+"; 0 pending")

		// A new file shows as pending with a null applied_at.
		f.write("12345678901234567891_more.sql", "CREATE TABLE more_things (x int);\n")
		st = f.status(db.URL)
		last := st.Migrations[len(st.Migrations)-1]
		if st.Pending != 1 || last.State != "pending" || last.AppliedAt != nil || last.Version != "12345678901234567891" {
			t.Fatalf("after adding a file: %+v", st)
		}
		want(t, f.run(db.URL, "up", "--quiet"), 0)
		if r := f.run(db.URL, "up", "--quiet"); r.stdout != "" {
			t.Errorf("--quiet printed %q", r.stdout)
		}
	})
}

func TestEditedAndMissing(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0002_create_posts.sql", createPosts)
		want(t, f.run(db.URL, "up"), 0)

		f.write("0001_create_users.sql", createUsers+"-- an edit\n")
		r := f.run(db.URL, "up")
		want(t, r, 3, "error: refusing to migrate", "migrations/0001_create_users.sql", "edited")
		if st := f.status(db.URL); st.state("1") != "edited" {
			t.Errorf("state of 1 = %q, want edited", st.state("1"))
		}
		e := parseError(t, f.run(db.URL, "up", "--json"))
		if e.Error.Code != "drift" || e.Error.ExitCode != 3 || len(e.Error.Problems) != 1 || e.Error.Problems[0].State != "edited" {
			t.Errorf("--json error = %+v", e)
		}
		want(t, f.run(db.URL, "plan"), 3, "edited")

		// A deliberate edit is accepted with resolve, which needs a reason.
		want(t, f.run(db.URL, "resolve", "1", "--accept-edit"), 2, "reason is required")
		want(t, f.run(db.URL, "resolve", "1", "--applied", "--rolled-back", "--reason", "x"), 2, "exactly one of")
		want(t, f.run(db.URL, "resolve", "99", "--accept-edit", "--reason", "x"), 2)
		want(t, f.run(db.URL, "resolve", "1", "--accept-edit", "--reason", "comment only"), 0, "resolved 1: edited -> applied")
		want(t, f.run(db.URL, "up"), 0, "nothing to do")

		// A file removed below the newest one is missing (removing the
		// newest looks like an older release: see TestAhead).
		f.remove("0001_create_users.sql")
		r = f.run(db.URL, "up")
		want(t, r, 3, "applied migration 1 is missing from the folder", "restore the file")
		if st := f.status(db.URL); st.state("1") != "missing" {
			t.Errorf("state of 1 = %q, want missing", st.state("1"))
		}
	})
}

func TestOutOfOrder(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0003_create_posts.sql", createPosts)
		want(t, f.run(db.URL, "up"), 0)

		f.write("0002_late.sql", "CREATE TABLE late (x int);\n")
		want(t, f.run(db.URL, "up"), 3, "migrations/0002_late.sql", "lower than the highest applied version 3", "--allow-out-of-order")
		if st := f.status(db.URL); st.state("2") != "out_of_order" || st.Pending != 1 {
			t.Errorf("status: %+v", st)
		}
		want(t, f.run(db.URL, "plan", "--allow-out-of-order"), 0, "migrations/0002_late.sql")
		want(t, f.run(db.URL, "up", "--allow-out-of-order"), 0, "applied migrations/0002_late.sql")
		if st := f.status(db.URL); st.state("2") != "applied" || st.CurrentVersion != "3" {
			t.Errorf("status: %+v", st)
		}
	})
}

func TestFailingStatement(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0002_broken.sql", "CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n\nINSERT INTO no_such_table VALUES (1);\n")
		serverCode := map[string]string{"pgx": "42P01", "mysql": "1146", "sqlite": "error 1"}[db.DriverName]

		r := f.run(db.URL, "up")
		want(t, r, 4, "applied migrations/0001_create_users.sql", "error: migrations/0002_broken.sql:4: statement 3 failed", "no_such_table", serverCode)

		st := f.status(db.URL)
		if db.DriverName == "mysql" {
			// DDL commits implicitly: two statements ran and stay recorded.
			if st.state("2") != "partial" {
				t.Fatalf("state of 2 = %q, want partial", st.state("2"))
			}
			want(t, f.run(db.URL, "status"), 0, "partial (2/3 statements)")
			want(t, f.run(db.URL, "up"), 3, "stopped half-way: 2 of 3 statements applied")
			// Fix the failed statement and continue from it.
			f.write("0002_broken.sql", "CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n\nCREATE TABLE c (x int);\n")
			want(t, f.run(db.URL, "plan", "--resume"), 0, "resuming at statement 3 of 3")
			want(t, f.run(db.URL, "up", "--resume"), 0, "applied migrations/0002_broken.sql")
			if st := f.status(db.URL); st.state("2") != "applied" {
				t.Fatalf("after --resume: state of 2 = %q", st.state("2"))
			}
			return
		}
		if st.state("2") != "pending" || st.CurrentVersion != "1" {
			t.Fatalf("after a rolled-back failure: %+v", st)
		}
		if _, err := db.Open(t).Exec("SELECT x FROM a"); err == nil {
			t.Error("table a exists after its file was rolled back")
		}
		e := parseError(t, f.run(db.URL, "up", "--json"))
		if e.Error.Code != "migration_failed" || e.Error.File != "migrations/0002_broken.sql" || e.Error.Line != 4 || e.Error.ServerCode == "" {
			t.Errorf("--json error = %+v", e)
		}
		// Fixed, it applies.
		f.write("0002_broken.sql", "CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n")
		want(t, f.run(db.URL, "up"), 0, "applied migrations/0002_broken.sql")
	})
}

func TestPlan(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0002_document_things.sql", commentOnly)
		f.write("0003_create_posts.sql", createPosts)

		r := f.run(db.URL, "plan")
		want(t, r, 0, "3 migrations to apply", "migrations/0001_create_users.sql", "2 statements", "0 statements")
		if db.DriverName == "mysql" {
			want(t, r, 0, "statement by statement", "commits DDL implicitly")
		} else {
			want(t, r, 0, "in a transaction")
		}

		r = f.run(db.URL, "plan", "--sql")
		want(t, r, 0, "-- migrations/0001_create_users.sql:2\nCREATE TABLE users (\n  id int PRIMARY KEY,\n  email varchar(200) NOT NULL\n)\n",
			"-- migrations/0001_create_users.sql:6\nINSERT INTO users (id, email) VALUES (1, 'a@example.com')\n",
			"-- migrations/0003_create_posts.sql:1\nCREATE TABLE posts")
		if db.DriverName == "mysql" {
			want(t, r, 0, "-- migrations/0001_create_users.sql runs without a transaction")
		} else {
			want(t, r, 0, "-- BEGIN (transaction for migrations/0001_create_users.sql)", "-- COMMIT")
			r = f.run(db.URL, "plan", "--sql", "--tx", "all")
			want(t, r, 0, "-- BEGIN (one transaction for all 3 files, --tx=all)")
			if n := strings.Count(r.stdout, "-- BEGIN"); n != 1 {
				t.Errorf("--tx=all plan has %d BEGINs:\n%s", n, r)
			}
		}
		want(t, f.run(db.URL, "plan", "--to", "1"), 0, "1 migration to apply")
		want(t, f.run(db.URL, "up", "--dry-run"), 0, "3 migrations to apply")
		// Nothing changed.
		if st := f.status(db.URL); st.Pending != 3 {
			t.Errorf("plan changed something: %+v", st)
		}
		want(t, f.run(db.URL, "up", "--to", "2"), 0, "database is at version 2")
		if st := f.status(db.URL); st.Pending != 1 || st.CurrentVersion != "2" {
			t.Errorf("after up --to 2: %+v", st)
		}
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	wd := t.TempDir()
	r := strata(t, wd, "new", "--dir", "db/migrations", "Create users")
	want(t, r, 0)
	path := filepath.Join("db", "migrations", "0001_create_users.sql")
	if strings.TrimSpace(r.stdout) != path {
		t.Fatalf("printed %q, want %q", r.stdout, path)
	}
	if b, err := os.ReadFile(filepath.Join(wd, path)); err != nil || !strings.HasPrefix(string(b), "-- 0001_create_users.sql\n") {
		t.Fatalf("new file: %q, %v", b, err)
	}
	r = strata(t, wd, "new", "--dir", "db/migrations", "add", "posts")
	want(t, r, 0, filepath.Join("db", "migrations", "0002_add_posts.sql"))
	want(t, strata(t, wd, "new", "--dir", "db/migrations", "!!!"), 2, "has no letters or digits")
	want(t, strata(t, wd, "new", "--dir", "db/migrations"), 2, "strata new needs a description")
}

func TestVersion(t *testing.T) {
	t.Parallel()
	// The release version and commit come from -ldflags -X, which TestMain
	// builds the binary with.
	want(t, strata(t, t.TempDir(), "version"), 0, "strata "+testVersion+" (commit "+testCommit+")")
	r := strata(t, t.TempDir(), "version", "--json")
	want(t, r, 0)
	var v struct{ Version, Commit, Go string }
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v.Version != testVersion || v.Commit != testCommit || v.Go == "" {
		t.Fatalf("version --json = %+v, %v\n%s", v, err, r)
	}
}
