package strata_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// smallFiles is a set of small transactional files, which strata sends in
// one round trip where the database allows (a PostgreSQL pipeline, a MySQL
// multi-statement query), with text that a careless batcher would break:
// placeholders, quotes, semicolons in strings, a trailing comment with no
// newline, a description that is not ASCII; and a file that fails on its
// second statement.
func smallFiles() map[string]string {
	return map[string]string{
		"0001_table.sql": "CREATE TABLE p (id int, v varchar(100));\n",
		"0002_data.sql": "INSERT INTO p VALUES (1, 'what? it''s $1');\n" +
			"-- a ? in a comment; and a semicolon\n" +
			"INSERT INTO p VALUES (2, '; not a split');\n" +
			"INSERT INTO p VALUES (3, 'tail') -- trailing comment, no newline",
		"0003_données_été.sql": "UPDATE p SET v = 'ü' WHERE id = 3;\n",
		"0004_bad.sql":         "INSERT INTO p VALUES (4, 'a');\nINSERT INTO p VALUES (5, 'b', 'too many');\nINSERT INTO p VALUES (6, 'c');\n",
	}
}

func TestSmallFilesInOneRoundTrip(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		checkSmallFiles(t, db, db.Open(t))
	})
}

// TestSmallFilesWithoutMultiStatements: a library user's MySQL connection
// opened without multiStatements=true cannot take a batch; strata notices
// and sends the statements one by one, with the same outcome.
func TestSmallFilesWithoutMultiStatements(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MultiStatements = false
	sqlDB, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	checkSmallFiles(t, db, sqlDB)
}

func checkSmallFiles(t *testing.T, db testdb.DB, sqlDB *sql.DB) {
	t.Helper()
	ctx := context.Background()
	kv := []string{}
	for name, text := range smallFiles() {
		kv = append(kv, name, text)
	}
	m := newMigrator(t, db, sqlDB, files(kv...), strata.WithSourceName("migrations"))
	before := time.Now().Add(-time.Second)
	res, err := m.Up(ctx, strata.PlanOptions{})
	var se *strata.StatementError
	if !errors.As(err, &se) {
		t.Fatalf("up: %v, want a statement error", err)
	}
	if se.File != "migrations/0004_bad.sql" || se.Line != 2 || se.Index != 2 || se.Code == "" || !strings.Contains(se.Statement, "too many") {
		t.Errorf("statement error = %+v, want 0004_bad.sql line 2, statement 2", se)
	}
	if !strings.Contains(se.Outcome, "rolled back") || strings.Contains(err.Error(), "could not confirm") {
		t.Errorf("error %q: want rolled back, and the earlier files confirmed on disk", err)
	}
	if len(res.Applied) != 3 {
		t.Errorf("applied %d files before the failure, want 3", len(res.Applied))
	}

	rows, err := sqlDB.QueryContext(ctx, "SELECT id, v FROM p ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s", id, v))
	}
	want := []string{"1:what? it's $1", "2:; not a split", "3:ü"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows = %q, want %q (nothing of 0004)", got, want)
	}

	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]strata.State{}
	for _, ms := range st.Migrations {
		states[ms.ID] = ms.State
		if ms.State != strata.StateApplied {
			continue
		}
		r := ms.Record
		if r.Checksum != ms.Migration.Checksum || r.StatementsApplied != r.StatementsTotal || r.AppliedBy == "" ||
			r.StartedAt.Before(before) || r.FinishedAt.IsZero() || r.FinishedAt.Before(r.StartedAt) || r.StrataVersion == "" {
			t.Errorf("%s: history row %+v", ms.ID, r)
		}
	}
	if states["1"] != strata.StateApplied || states["2"] != strata.StateApplied || states["3"] != strata.StateApplied || states["4"] != strata.StatePending {
		t.Errorf("states = %v, want 1-3 applied and 4 pending", states)
	}
	for _, ms := range st.Migrations {
		if ms.ID == "3" && (ms.Record == nil || ms.Record.Name != "données_été" || !strings.HasSuffix(ms.Record.File, "0003_données_été.sql")) {
			t.Errorf("0003 recorded as %+v", ms.Record)
		}
		if ms.ID == "2" && (ms.Record == nil || ms.Record.StatementsTotal != 3) {
			t.Errorf("0002 recorded as %+v, want 3 statements", ms.Record)
		}
	}
}

// TestFileEditedAfterPlan: a file edited between the plan and the apply.
// A small file runs as it was read and checksummed for the plan (kept in
// memory), and status then shows it edited; a large file is read again
// while it runs and is refused because its checksum no longer matches.
// Either way what ran is what the history records.
func TestFileEditedAfterPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	big := "INSERT INTO p VALUES (2, '" + strings.Repeat("x", 300<<10) + "');\n"
	for _, tc := range []struct {
		name, file, text string
		wantErr          bool
	}{
		{"small file runs as planned", "0002_small.sql", "INSERT INTO p VALUES (1, 'planned');\n", false},
		{"large file is refused", "0002_large.sql", big, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := testdb.SQLite(t)
			sqlDB := db.Open(t)
			dir := t.TempDir()
			write := func(name, text string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("0001_table.sql", "CREATE TABLE p (id int, v text);\n")
			write(tc.file, tc.text)
			m := newMigrator(t, db, sqlDB, os.DirFS(dir))
			p, err := m.Plan(ctx, strata.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			write(tc.file, "INSERT INTO p VALUES (9, 'edited');\n")
			_, err = m.Apply(ctx, p)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "changed while strata was running") {
					t.Fatalf("apply: %v, want the file refused as changed", err)
				}
				if n := count(t, sqlDB, "SELECT COUNT(*) FROM p"); n != 0 {
					t.Errorf("%d rows in p, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			var v string
			if err := sqlDB.QueryRowContext(ctx, "SELECT v FROM p").Scan(&v); err != nil || v != "planned" {
				t.Errorf("p holds %q (%v), want the planned row", v, err)
			}
			m = newMigrator(t, db, sqlDB, os.DirFS(dir))
			st, err := m.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Migrations[1].State; got != strata.StateEdited {
				t.Errorf("after the edit status says %s, want edited", got)
			}
		})
	}
}

// TestPipelinedFileRecordsItsDuration: a file sent in one round trip
// records how long it ran on the server, not the few microseconds it took
// to build the batch.
func TestPipelinedFileRecordsItsDuration(t *testing.T) {
	t.Parallel()
	for kind, sleep := range map[string]string{"postgres": "SELECT pg_sleep(0.25);\n", "mysql": "DO SLEEP(0.25);\n"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			m := newMigrator(t, db, db.Open(t), files("0001_sleep.sql", sleep))
			res := up(t, m)
			if len(res.Applied) != 1 || res.Applied[0].Duration < 250*time.Millisecond {
				t.Fatalf("up = %+v, want one file of at least 250ms", res.Applied)
			}
			h, err := m.History(context.Background(), "1")
			if err != nil {
				t.Fatal(err)
			}
			rec := h.Status.Record
			if rec == nil || rec.FinishedAt.IsZero() {
				t.Fatalf("history row = %+v, want a finished row", rec)
			}
			took := rec.FinishedAt.Sub(rec.StartedAt)
			if rec.Duration < 250*time.Millisecond || took < 250*time.Millisecond {
				t.Errorf("execution_ms = %v, finished_at - started_at = %v; want both at least 250ms", rec.Duration, took)
			}
			if d := took - rec.Duration; d < 0 || d > 2*time.Millisecond {
				t.Errorf("finished_at - started_at = %v does not match execution_ms = %v", took, rec.Duration)
			}
			if h.Status.Duration != rec.Duration {
				t.Errorf("status duration %v, execution_ms %v", h.Status.Duration, rec.Duration)
			}
		})
	}
}
