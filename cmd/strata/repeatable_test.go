package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestRepeatables runs R__ files after the versioned ones, in name order,
// again only when they changed, on each database: status lists them, plan
// says which would re-run, and up re-runs an edited one and not the other.
func TestRepeatables(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name varchar(50));\n")
		f.write("R__b_view.sql", "DROP VIEW IF EXISTS user_names;\nCREATE VIEW user_names AS SELECT name FROM users;\n")
		f.write("R__a_seed.sql", "DELETE FROM users WHERE id = 1;\nINSERT INTO users VALUES (1, 'root');\n")
		r := f.run(db.URL, "up", "--verbose")
		want(t, r, 0, "applied 3 migrations")
		// versioned first, then repeatables in name order
		iu, ia, ib := strings.Index(r.stdout, "0001_users.sql"), strings.Index(r.stdout, "R__a_seed.sql"), strings.Index(r.stdout, "R__b_view.sql")
		if iu < 0 || ia < iu || ib < ia {
			t.Fatalf("want 0001, R__a_seed, R__b_view in that order:\n%s", r)
		}
		st := f.status(db.URL)
		if st.Pending != 0 || st.state("R__a_seed") != "applied" || st.state("R__b_view") != "applied" {
			t.Fatalf("status after up: %+v", st)
		}
		want(t, f.run(db.URL, "up"), 0, "nothing to do")

		f.write("R__b_view.sql", "DROP VIEW IF EXISTS user_names;\nCREATE VIEW user_names AS SELECT id, name FROM users;\n")
		st = f.status(db.URL)
		if st.Pending != 1 || st.state("R__b_view") != "pending" || st.state("R__a_seed") != "applied" {
			t.Fatalf("status after editing R__b_view: %+v", st)
		}
		r = f.run(db.URL, "plan")
		want(t, r, 0, "1 migration to apply", "R__b_view.sql", "re-run: changed since it was applied")
		if strings.Contains(r.stdout, "R__a_seed") {
			t.Errorf("plan would re-run the unchanged R__a_seed:\n%s", r)
		}
		r = f.run(db.URL, "plan", "--json")
		var p struct {
			Steps []struct {
				Version string `json:"version"`
				Rerun   bool   `json:"rerun"`
			} `json:"steps"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || len(p.Steps) != 1 || p.Steps[0].Version != "R__b_view" || !p.Steps[0].Rerun {
			t.Fatalf("plan --json: %v %+v\n%s", err, p, r)
		}
		r = f.run(db.URL, "up", "--json")
		var res struct {
			Applied []struct {
				Version string `json:"version"`
			} `json:"applied"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res.Applied) != 1 || res.Applied[0].Version != "R__b_view" {
			t.Fatalf("up after the edit: %v %+v\n%s", err, res, r)
		}
		sqlDB := db.Open(t)
		var n int
		if err := sqlDB.QueryRow("SELECT count(*) FROM user_names WHERE id = 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("the re-run view: %v, %d rows", err, n)
		}
		if err := sqlDB.QueryRow("SELECT count(*) FROM strata_schema_history WHERE kind = 'repeatable'").Scan(&n); err != nil || n != 2 {
			t.Errorf("history rows of repeatables: %v, %d, want 2", err, n)
		}
		st = f.status(db.URL)
		if st.Pending != 0 || st.state("R__b_view") != "applied" {
			t.Fatalf("status after the re-run: %+v", st)
		}
		want(t, f.run(db.URL, "up"), 0, "nothing to do")
	})
}
