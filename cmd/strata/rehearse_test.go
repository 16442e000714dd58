package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// schemaDump is the database's schema and history rows as text: pg_dump
// --schema-only where it works, else a catalog query, for PostgreSQL; the
// schema table for SQLite.
func schemaDump(t *testing.T, db testdb.DB, sqlDB *sql.DB) string {
	t.Helper()
	var b strings.Builder
	q := "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY 1"
	if db.DriverName == "pgx" {
		if out, err := exec.Command("pg_dump", "--schema-only", "--no-owner", "--dbname", db.URL).Output(); err == nil {
			for _, line := range strings.Split(string(out), "\n") {
				// pg_dump 17.6+ brackets its output with a random key.
				if !strings.HasPrefix(line, `\restrict `) && !strings.HasPrefix(line, `\unrestrict `) {
					fmt.Fprintln(&b, line)
				}
			}
			q = ""
		} else {
			t.Logf("pg_dump failed (%v); comparing a catalog query instead", err)
			q = `SELECT c.relkind || ' ' || c.relname || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
			       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
			      WHERE n.nspname = 'public' ORDER BY 1`
		}
	}
	queries := []string{"SELECT id || ' ' || checksum || ' ' || status || ' ' || statements_applied || ' ' || started_at FROM strata_schema_history ORDER BY id",
		"SELECT count(*) || '' FROM t", "SELECT COALESCE(sum(x), 0) || '' FROM t"}
	if q != "" {
		queries = append(queries, q)
	}
	for _, q := range queries {
		rows, err := sqlDB.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, s.String)
		}
		rows.Close()
	}
	return b.String()
}

// TestRehearse rehearses pending files on PostgreSQL and SQLite and checks
// that the database is unchanged byte for byte, that a failing file is
// named, and that a file that cannot run in a transaction is skipped.
func TestRehearse(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_t.sql", "CREATE TABLE t (id int PRIMARY KEY, x int);\nINSERT INTO t VALUES (1, 1), (2, 2);\n")
		want(t, f.run(db.URL, "up"), 0)
		if db.DriverName == "mysql" {
			f.write("0002_u.sql", "CREATE TABLE u (id int);\n")
			want(t, f.run(db.URL, "rehearse"), 2, "commits DDL implicitly", "strata verify")
			return
		}
		sqlDB := db.Open(t)
		f.write("0002_alter.sql", "ALTER TABLE t ADD COLUMN y int NOT NULL DEFAULT 0;\nUPDATE t SET x = x * 10 WHERE true;\nCREATE TABLE u (id int);\n")
		noTx := "-- strata:no-transaction\nCREATE INDEX t_x ON t (x);\n"
		if db.DriverName == "pgx" {
			noTx = "CREATE INDEX CONCURRENTLY t_x ON t (x);\n"
		}
		f.write("0003_index.sql", noTx)
		f.write("0004_more.sql", "INSERT INTO u VALUES (1);\n")
		before := schemaDump(t, db, sqlDB)

		r := f.run(db.URL, "rehearse", "--json")
		var out struct {
			OK    bool
			Files []struct {
				File      string
				Rehearsed bool
				OK        bool
				Reason    string
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 || !out.OK || len(out.Files) != 3 {
			t.Fatalf("rehearse: %v %+v\n%s", err, out, r)
		}
		if !out.Files[0].Rehearsed || out.Files[1].Rehearsed || !strings.Contains(out.Files[1].Reason, "cannot run in a transaction") || !out.Files[2].Rehearsed {
			t.Errorf("want 0002 and 0004 rehearsed and 0003 skipped with its reason: %+v", out.Files)
		}
		if after := schemaDump(t, db, sqlDB); after != before {
			t.Fatalf("rehearse changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}

		f.write("0004_more.sql", "INSERT INTO u VALUES (1);\nINSERT INTO missing VALUES (1);\n")
		r = f.run(db.URL, "rehearse")
		want(t, r, 4, "ok       migrations/0002_alter.sql", "skipped  migrations/0003_index.sql", "FAIL     migrations/0004_more.sql", "0004_more.sql:2", "rolled back")
		if after := schemaDump(t, db, sqlDB); after != before {
			t.Fatalf("a failed rehearsal changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		if st := f.status(db.URL); st.Pending != 3 {
			t.Errorf("pending after rehearsals: %d, want 3", st.Pending)
		}
	})
}
