package strata_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// TestNoTxLastProgressWithOutcome: outside a transaction, each statement's
// progress is written before the next statement is sent, and the last
// one's goes with the outcome, in one history write. A trigger on the
// history table lists every update the database saw: one for statement
// 1 and one for statement 2 with the outcome, where a progress write and
// an outcome write for statement 2 would make three (one more commit, a
// log flush, per file outside a transaction).
func TestNoTxLastProgressWithOutcome(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := files("1_a.sql", "CREATE TABLE a (id int);\n")
		up(t, newMigrator(t, db, sqlDB, fsys)) // the history table
		// Two statements that each run alone and commit (on PostgreSQL
		// the second cannot share its progress update's transaction).
		second := "CREATE TABLE b2 (id int);\n"
		trigger := []string{
			"CREATE TABLE hist_updates (seq int, id varchar(300), applied int, status varchar(32), sums varchar(300))",
		}
		row := "(SELECT COUNT(*) FROM hist_updates), NEW.id, NEW.statements_applied, NEW.status, NEW.statement_checksums"
		switch db.DriverName {
		case "pgx":
			second = "CREATE INDEX CONCURRENTLY b1_id ON b1 (id);\n"
			trigger = append(trigger,
				"CREATE FUNCTION hist_upd() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO hist_updates VALUES ("+row+"); RETURN NEW; END$$",
				"CREATE TRIGGER hist_upd AFTER UPDATE ON strata_schema_history FOR EACH ROW EXECUTE FUNCTION hist_upd()")
		case "mysql":
			trigger = append(trigger, "CREATE TRIGGER hist_upd AFTER UPDATE ON strata_schema_history FOR EACH ROW INSERT INTO hist_updates VALUES ("+row+")")
		default:
			trigger = append(trigger, "CREATE TRIGGER hist_upd AFTER UPDATE ON strata_schema_history BEGIN INSERT INTO hist_updates VALUES ("+row+"); END")
		}
		for _, q := range trigger {
			if _, err := sqlDB.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		fsys["2_b.sql"] = files("x", "-- strata:no-transaction\nCREATE TABLE b1 (id int);\n"+second)["x"]
		res := up(t, newMigrator(t, db, sqlDB, fsys, strata.WithAllowDrift(true))) // the trigger
		if len(res.Applied) != 1 || res.Applied[0].Statements != 2 {
			t.Fatalf("applied %+v", res.Applied)
		}
		rows, err := sqlDB.QueryContext(ctx, "SELECT applied, status, COALESCE(sums, '') FROM hist_updates WHERE id = '2' ORDER BY seq")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var seen []string
		for rows.Next() {
			var n int
			var status, sums string
			if err := rows.Scan(&n, &status, &sums); err != nil {
				t.Fatal(err)
			}
			seen = append(seen, fmt.Sprintf("%d %s %d", n, status, strings.Count(sums, ",")))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		// statements applied, status, statement checksums recorded
		want := "1 running 1 | 2 applied 2"
		if got := strings.Join(seen, " | "); got != want {
			t.Errorf("history updates of the file: %s, want %s", got, want)
		}
		// The recorded checksums are those of the two statements: a
		// resume would check them.
		st, err := newMigrator(t, db, sqlDB, fsys).Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ms := st.Migrations[1]
		sums := strata.StatementChecksum("CREATE TABLE b1 (id int)") + "," + strata.StatementChecksum(strings.TrimSuffix(second, ";\n")) + ","
		if ms.State != strata.StateApplied || ms.Record == nil || ms.Record.StatementChecksums != sums {
			t.Errorf("row: %s, %+v; want applied with checksums %s", ms.State, ms.Record, sums)
		}
	})
}

// TestNoTxRoundTrips: a one-statement file outside a transaction costs
// its running row, the statement and its outcome with the statement's
// progress; on MySQL the running row goes in the same round trip as the
// statement (dialect.Pipeliner), so two queries a file. Counted on the
// wire: a run of three such files sends this many more queries than a run
// of two.
func TestNoTxRoundTrips(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		counted, n := countingDB(t, db)
		run := func(prefix string, k int) int64 {
			kv := []string{}
			for i := 1; i <= k; i++ {
				kv = append(kv, fmt.Sprintf("%d_%s.sql", i, prefix), fmt.Sprintf("-- strata:no-transaction\nCREATE TABLE %s%d (id int);\n", prefix, i))
			}
			m := newMigrator(t, db, counted, files(kv...), strata.WithTable(prefix+"_history"))
			if _, err := m.Pooler(ctx); err != nil { // probed once per Migrator: not counted
				t.Fatal(err)
			}
			n.Store(0)
			if res := up(t, m); len(res.Applied) != k {
				t.Fatalf("%s: applied %d", prefix, len(res.Applied))
			}
			return n.Load()
		}
		perFile := run("c", 3) - run("b", 2)
		want := int64(3) // running row, statement, outcome
		if db.DriverName == "mysql" {
			want = 2 // running row and statement, outcome
		}
		if perFile != want {
			t.Errorf("a file outside a transaction sent %d queries, want %d", perFile, want)
		}

		// A first statement that fails after its running row was
		// written with it: the row records the failure.
		fsys := files("1_bad.sql", "-- strata:no-transaction\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE never (id int);\n")
		m := newMigrator(t, db, counted, fsys, strata.WithTable("d_history"))
		_, err := m.Up(ctx, strata.PlanOptions{})
		var se *strata.StatementError
		if !errors.As(err, &se) || se.Index != 1 {
			t.Fatalf("up: %v; want a StatementError at statement 1", err)
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ms := st.Migrations[0]; ms.State != strata.StateFailed || ms.StatementsApplied != 0 || !strings.Contains(ms.Error, "statement 1") {
			t.Errorf("after the failure: %s, %d applied, error %q; want failed, 0, naming statement 1", ms.State, ms.StatementsApplied, ms.Error)
		}
	})
}
