package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// historyJSON is `strata history VERSION --json` output.
type historyJSON struct {
	Version           string  `json:"version"`
	State             string  `json:"state"`
	Kind              string  `json:"kind"`
	Checksum          string  `json:"checksum"`
	AppliedAt         *string `json:"applied_at"`
	StatementsApplied int     `json:"statements_applied"`
	Audit             []struct {
		Action      string `json:"action"`
		OldState    string `json:"old_state"`
		NewState    string `json:"new_state"`
		OldChecksum string `json:"old_checksum"`
		NewChecksum string `json:"new_checksum"`
		Reason      string `json:"reason"`
		By          string `json:"by"`
		At          string `json:"at"`
		Detail      string `json:"detail"`
	} `json:"audit"`
}

func (f *folder) history(url, version string) historyJSON {
	f.t.Helper()
	r := f.run(url, "history", version, "--json")
	want(f.t, r, 0)
	var h historyJSON
	if err := json.Unmarshal([]byte(r.stdout), &h); err != nil {
		f.t.Fatalf("history --json: %v\n%s", err, r)
	}
	return h
}

// TestDownAndRedo rolls back with down files and runs redo, and checks
// every refusal: a missing down file, an edited up file, too many steps,
// an unknown version, contradicting arguments.
func TestDownAndRedo(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0001_create_users.down.sql", "DROP TABLE users;\n")
		f.write("0002_create_posts.sql", createPosts)
		f.write("0002_create_posts.down.sql", "DROP TABLE posts;\n")
		f.write("0003_seed.sql", "INSERT INTO posts (id, user_id) VALUES (1, 1);\n")
		want(t, f.run(db.URL, "up"), 0, "database is at version 3")
		conn := db.Open(t)

		// 3 has no down file: refused before anything runs.
		r := f.run(db.URL, "down")
		want(t, r, 3, "refusing to roll back", "migrations/0003_seed.sql", "has no down file", "0003_seed.down.sql")
		if e := parseError(t, f.run(db.URL, "down", "--json")); e.Error.Code != "drift" || len(e.Error.Problems) != 1 || e.Error.Problems[0].State != "no_down_file" {
			t.Errorf("--json refusal = %+v", e)
		}
		f.write("0003_seed.down.sql", "DELETE FROM posts WHERE id = 1;\n")

		// Usage mistakes: exit 2, nothing ran.
		want(t, f.run(db.URL, "down", "0"), 2, "give the number of migrations")
		want(t, f.run(db.URL, "down", "2", "--to", "1"), 2, "not both")
		want(t, f.run(db.URL, "down", "7"), 2, "only 3 are applied")
		want(t, f.run(db.URL, "down", "--to", "99"), 2, "unknown version 99")
		want(t, f.run(db.URL, "plan", "--down", "--sql"), 2, "does not take --sql")

		// The plan names each down file and how it runs; nothing changes.
		r = f.run(db.URL, "plan", "--down", "2")
		want(t, r, 0, "2 migrations to roll back", "migrations/0003_seed.down.sql", "migrations/0002_create_posts.down.sql", "afterwards: database is at version 1")
		if db.DriverName == "mysql" {
			want(t, r, 0, "statement by statement, no transaction (DDL from line 1)")
		} else {
			want(t, r, 0, "in a transaction")
		}
		want(t, f.run(db.URL, "down", "--dry-run", "--to", "0"), 0, "3 migrations to roll back", "afterwards: no migrations applied")
		if st := f.status(db.URL); st.CurrentVersion != "3" || st.Pending != 0 {
			t.Fatalf("a dry run changed something: %+v", st)
		}

		// down 2: one line per file with its duration, newest first.
		r = f.run(db.URL, "down", "2", "--reason", "try again")
		want(t, r, 0, "rolled back migrations/0003_seed.down.sql (", "rolled back migrations/0002_create_posts.down.sql (", "rolled back 2 migrations in ", "database is at version 1")
		if strings.Index(r.stdout, "0003_seed") > strings.Index(r.stdout, "0002_create_posts") {
			t.Errorf("down ran oldest first:\n%s", r)
		}
		if n := historyRows(t, conn); len(n) != 1 || n["1"] != 1 {
			t.Errorf("history after down 2 = %v, want only 1", n)
		}
		if tableExists(conn, "posts") {
			t.Error("posts still exists after its down file ran")
		}
		h := f.history(db.URL, "2")
		if h.State != "pending" || h.AppliedAt != nil || len(h.Audit) != 1 || h.Audit[0].Action != "down" ||
			h.Audit[0].OldState != "applied" || h.Audit[0].NewState != "pending" || h.Audit[0].Reason != "try again" || h.Audit[0].By == "" {
			t.Errorf("history 2 after down = %+v", h)
		}

		// The up file of an applied migration was edited: its down file may
		// not undo what ran, so down and redo refuse.
		want(t, f.run(db.URL, "up"), 0, "database is at version 3")
		f.write("0003_seed.sql", "INSERT INTO posts (id, user_id) VALUES (2, 1);\n")
		want(t, f.run(db.URL, "down"), 3, "up file was edited since it was applied", "strata resolve 3 --accept-edit")
		want(t, f.run(db.URL, "redo"), 3, "up file was edited")
		f.write("0003_seed.sql", "INSERT INTO posts (id, user_id) VALUES (1, 1);\n")

		// redo: the down file, then the file again, one line each.
		r = f.run(db.URL, "redo")
		want(t, r, 0, "rolled back migrations/0003_seed.down.sql (", "applied migrations/0003_seed.sql (", "redid 3", "database is at version 3")
		var rj struct {
			RolledBack []jsonFile `json:"rolled_back"`
			Applied    []jsonFile `json:"applied"`
			Current    string     `json:"current_version"`
		}
		r = f.run(db.URL, "redo", "--json")
		if err := json.Unmarshal([]byte(r.stdout), &rj); err != nil || len(rj.RolledBack) != 1 || len(rj.Applied) != 1 || rj.Current != "3" || rj.Applied[0].File != "migrations/0003_seed.sql" {
			t.Errorf("redo --json = %+v (%v)\n%s", rj, err, r)
		}
		if n := scalar(t, conn, "SELECT COUNT(*) FROM posts"); n != 1 {
			t.Errorf("posts has %d rows after two redos, want 1", n)
		}

		// down --to 0 rolls back everything; then nothing is left to redo.
		var dj struct {
			RolledBack []jsonFile `json:"rolled_back"`
			Current    string     `json:"current_version"`
		}
		r = f.run(db.URL, "down", "--to", "0", "--yes", "--json") // no terminal here: --yes confirms
		if err := json.Unmarshal([]byte(r.stdout), &dj); err != nil || len(dj.RolledBack) != 3 || dj.Current != "" {
			t.Errorf("down --to 0 --json = %+v (%v)\n%s", dj, err, r)
		}
		want(t, f.run(db.URL, "down"), 0, "nothing to roll back: no migrations applied")
		want(t, f.run(db.URL, "redo"), 2, "nothing to redo")
		if st := f.status(db.URL); st.Pending != 3 || st.CurrentVersion != "" {
			t.Errorf("after down --to 0: %+v", st)
		}
	})
}

// jsonFile is one file in up, down and redo --json output.
type jsonFile struct {
	Version    string `json:"version"`
	File       string `json:"file"`
	DurationMS int64  `json:"duration_ms"`
	Statements int    `json:"statements"`
}

// TestBaseline records migrations without running them, and refuses on a
// history that has rows unless --force.
func TestBaseline(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0002_create_posts.sql", createPosts)
		f.write("0003_more.sql", "CREATE TABLE more_things (x int);\n")
		conn := db.Open(t)
		// The schema of 1 and 2 was built by hand.
		if _, err := conn.Exec("CREATE TABLE users (id int PRIMARY KEY, email varchar(200) NOT NULL)"); err != nil {
			t.Fatal(err)
		}

		want(t, f.run(db.URL, "baseline", "9"), 2, "unknown version 9", "nearest: 3")
		want(t, f.run(db.URL, "baseline", "v1"), 2, "baseline v1")
		want(t, f.run(db.URL, "baseline", "1", "extra"), 2)
		r := f.run(db.URL, "baseline", "1", "--reason", "built by hand in 2019")
		want(t, r, 0, "baselined migrations/0001_create_users.sql (recorded as applied, not run)", "recorded 1 migration")
		if n := scalar(t, conn, "SELECT COUNT(*) FROM users"); n != 0 {
			t.Errorf("baseline ran the file: users has %d rows", n)
		}
		h := f.history(db.URL, "1")
		if h.State != "applied" || h.Kind != "baseline" || h.StatementsApplied != 0 || len(h.Audit) != 1 ||
			h.Audit[0].Action != "baseline" || h.Audit[0].Reason != "built by hand in 2019" || h.Audit[0].NewChecksum != h.Checksum {
			t.Errorf("history 1 after baseline = %+v", h)
		}
		want(t, f.run(db.URL, "history", "1"), 0, "recorded as", "baseline", "audit trail (1 entry, oldest first)", "reason: built by hand in 2019")

		// A managed database: refused unless --force.
		want(t, f.run(db.URL, "baseline", "2"), 3, "refusing to baseline: the history already has 1 migration rows", "--force")
		r = f.run(db.URL, "baseline", "2", "--force", "--json")
		var bj struct {
			Recorded []string `json:"recorded"`
			Skipped  []string `json:"skipped"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &bj); err != nil || strings.Join(bj.Recorded, ",") != "2" || strings.Join(bj.Skipped, ",") != "1" {
			t.Errorf("baseline --force --json = %+v (%v)\n%s", bj, err, r)
		}
		want(t, f.run(db.URL, "up"), 0, "applied migrations/0003_more.sql", "applied 1 migration")
		if n := historyRows(t, conn); len(n) != 3 {
			t.Errorf("history = %v", n)
		}
		want(t, f.run(db.URL, "history", "42"), 2, "unknown version 42")
	})
}

// TestResolveHalfRunFile makes a file stop half-way on every database (a
// file outside a transaction whose second statement fails), and settles it
// through the CLI: down and up refuse, resolve refuses what does not fit,
// and the audit trail keeps who did what and why.
func TestResolveHalfRunFile(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0001_create_users.down.sql", "DROP TABLE users;\n")
		f.write("0002_half.sql", "-- strata:no-transaction\nCREATE TABLE half_a (x int);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE half_b (x int);\n")
		want(t, f.run(db.URL, "up"), 4, "migrations/0002_half.sql:3: statement 2 failed", "recorded as partial: 1 of 3")

		want(t, f.run(db.URL, "up"), 3, "stopped half-way: 1 of 3 statements applied", "strata up --resume", "strata resolve 2 --applied")
		want(t, f.run(db.URL, "down"), 3, "migrations/0002_half.sql", "settle it first: strata resolve 2")
		want(t, f.run(db.URL, "redo"), 3, "settle it first")
		want(t, f.run(db.URL, "resolve", "2", "--accept-edit", "--reason", "x"), 3, "there is no edit to accept")
		want(t, f.run(db.URL, "resolve", "1", "--applied", "--reason", "x"), 3, "it is already applied")
		want(t, f.run(db.URL, "resolve", "2", "--applied"), 2, "a reason is required")

		// A human finished the file by hand.
		if _, err := db.Open(t).Exec("CREATE TABLE half_b (x int)"); err != nil {
			t.Fatal(err)
		}
		want(t, f.run(db.URL, "resolve", "2", "--applied", "--reason", "created half_b by hand"), 0, "resolved 2: partial -> applied")
		want(t, f.run(db.URL, "resolve", "2", "--applied", "--reason", "again"), 3, "already applied")
		want(t, f.run(db.URL, "up"), 0, "nothing to do: database is at version 2")
		h := f.history(db.URL, "2")
		if h.State != "applied" || len(h.Audit) != 1 || h.Audit[0].Action != "resolve_applied" || h.Audit[0].OldState != "partial" ||
			h.Audit[0].NewState != "applied" || h.Audit[0].Reason != "created half_b by hand" || !strings.Contains(h.Audit[0].Detail, "no_such_table") {
			t.Errorf("history 2 after resolve = %+v", h)
		}
		want(t, f.run(db.URL, "history", "2"), 0, "resolve_applied  partial -> applied", "reason: created half_b by hand")
	})
}

// TestDownHalfRunHint: a down file that stops half-way leaves a row that
// up --resume cannot continue. status and up must say so with the commands
// that do settle it, with lines counted in the down file, and following
// the hint must end in a clean state on every database.
func TestDownHalfRunHint(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_ab.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")
		f.write("0001_ab.down.sql", "-- strata:no-transaction\nDROP TABLE b;\nDROP TABLE no_such_table;\nDROP TABLE a;\n")
		want(t, f.run(db.URL, "up"), 0)
		want(t, f.run(db.URL, "down"), 4, "0001_ab.down.sql:3: statement 2 failed")

		hint := "strata resolve 1 --rolled-back --reason"
		for _, cmd := range []string{"status", "up"} {
			r := f.run(db.URL, cmd)
			want(t, r, map[string]int{"status": 0, "up": 3}[cmd], hint, "no_such_table", "line 3 of 0001_ab.down.sql")
			if strings.Contains(r.stdout+r.stderr, "strata up --resume") {
				t.Fatalf("%s offers up --resume, which refuses a down file's row:\n%s", cmd, r)
			}
		}
		st := f.status(db.URL)
		if m := st.Migrations[0]; m.State != "partial" || m.LastLine != 2 || m.NextLine != 3 {
			t.Fatalf("status --json: %+v, want partial with last_line 2 and next_line 3 (the down file's)", m)
		}
		// Follow the hint: finish the rollback by hand, then resolve.
		if _, err := db.Open(t).Exec("DROP TABLE a"); err != nil {
			t.Fatal(err)
		}
		want(t, f.run(db.URL, "resolve", "1", "--rolled-back", "--reason", "dropped a by hand"), 0, "resolved 1: partial -> pending")
		want(t, f.run(db.URL, "up"), 0, "applied migrations/0001_ab.sql")
		if st := f.status(db.URL); st.state("1") != "applied" || st.Pending != 0 {
			t.Fatalf("after following the hint: %+v", st)
		}
	})
}
