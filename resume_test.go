package strata_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// A file outside a transaction that fails half-way is recorded partial;
// once the failing statement is fixed, up --resume runs the rest.
func TestResumePartialFile(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		ctx := context.Background()
		bad := "-- strata:no-transaction\nCREATE TABLE r1 (id int);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE r3 (id int);\n"
		fsys := files("1_steps.sql", bad)
		m := newMigrator(t, db, sqlDB, fsys)
		if _, err := m.Up(ctx, strata.PlanOptions{}); err == nil {
			t.Fatal("up succeeded, want a failure")
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ms := st.Migrations[0]
		if ms.State != strata.StatePartial || ms.StatementsApplied != 1 || ms.LastLine != 2 || ms.NextLine != 3 {
			t.Fatalf("after failure: %s %d applied, lines %d/%d; want partial, 1, 2/3", ms.State, ms.StatementsApplied, ms.LastLine, ms.NextLine)
		}
		_, err = m.Up(ctx, strata.PlanOptions{})
		var drift *strata.RefusedError
		if !errors.As(err, &drift) || len(drift.Problems) != 1 {
			t.Fatalf("up without resume: %v; want a drift error", err)
		}
		if p := drift.Problems[0]; p.Remedy != strata.RemedyResume || p.Version != "1" || p.Applied != 1 || p.Line != 3 {
			t.Fatalf("up without resume: %+v; want remedy resume of 1 at statement 2, line 3", p)
		}

		// Editing a statement that already ran makes resume refuse.
		fsys["1_steps.sql"] = &fstest.MapFile{Data: []byte(strings.Replace(bad, "r1 (id int)", "r1 (id bigint)", 1))}
		_, err = newMigrator(t, db, sqlDB, fsys).Up(ctx, strata.PlanOptions{Resume: true})
		var re *strata.ResumeError
		if !errors.As(err, &re) || re.Index != 1 || re.Line != 2 {
			t.Fatalf("resume after editing statement 1: %v; want a ResumeError at statement 1 line 2", err)
		}

		// Fixing the failing statement and resuming completes the file.
		fixed := strings.Replace(bad, "INSERT INTO missing_table VALUES (1)", "INSERT INTO r1 VALUES (1)", 1)
		fsys["1_steps.sql"] = &fstest.MapFile{Data: []byte(fixed)}
		m = newMigrator(t, db, sqlDB, fsys)
		res, err := m.Up(ctx, strata.PlanOptions{Resume: true})
		if err != nil || len(res.Applied) != 1 || res.Applied[0].Statements != 3 {
			t.Fatalf("resume: %v %+v", err, res)
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM r1"); n != 1 {
			t.Errorf("r1 has %d rows, want 1 (statement 1 must not run twice, statement 2 once)", n)
		}
		st, _ = m.Status(ctx)
		ms = st.Migrations[0]
		if ms.State != strata.StateApplied || ms.StatementsApplied != 3 || ms.RecordedChecksum != ms.Migration.Checksum {
			t.Errorf("after resume: %s %d/%d checksum %s vs %s", ms.State, ms.StatementsApplied, ms.StatementsTotal, ms.RecordedChecksum, ms.Migration.Checksum)
		}
		if got := strings.Count(ms.Record.StatementChecksums, ","); got != 3 {
			t.Errorf("recorded %d statement checksums, want 3: %q", got, ms.Record.StatementChecksums)
		}
	})
}

// A row left running by a run that died (nobody holds the lock) is
// reported as interrupted, and --resume continues it.
func TestInterruptedRunIsDetected(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		ctx := context.Background()
		fsys := files("1_a.sql", "-- strata:no-transaction\nCREATE TABLE i1 (id int);\nCREATE TABLE i2 (id int);\n")
		m := newMigrator(t, db, sqlDB, fsys)
		up(t, m)
		// Simulate a run killed after statement 1: drop what statement 2
		// did and put the row back to running with 1 statement applied.
		for _, q := range []string{
			"DROP TABLE i2",
			"UPDATE strata_schema_history SET status = 'running', statements_applied = 1, statement_checksums = '" +
				strata.StatementChecksum("CREATE TABLE i1 (id int)") + ",' WHERE id = '1'",
		} {
			if _, err := sqlDB.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ms := st.Migrations[0]; ms.State != strata.StateInterrupted || ms.LastLine != 2 {
			t.Fatalf("state %s last line %d, want interrupted at line 2", ms.State, ms.LastLine)
		}
		_, err = m.Up(ctx, strata.PlanOptions{})
		var de *strata.RefusedError
		if !errors.As(err, &de) || !de.Has(strata.ProblemInterrupted) || !strings.Contains(err.Error(), "interrupted") {
			t.Fatalf("up: %v; want a refusal for the interrupted file", err)
		}
		res, err := m.Up(ctx, strata.PlanOptions{Resume: true})
		if err != nil || len(res.Applied) != 1 {
			t.Fatalf("resume: %v", err)
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM i2"); n != 0 {
			t.Errorf("i2 not recreated")
		}
	})
}
