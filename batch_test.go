package strata_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// largeFile is a data file of n INSERTs, one a line after a comment line,
// over 1 MiB so that it goes in several batches, with text a careless
// batcher would break (semicolons and quotes in strings, a trailing
// comment with no newline after the last one). Statement bad (1-based, 0
// for none) is replaced by badSQL.
func largeFile(n, bad int, badSQL string) string {
	var b strings.Builder
	b.WriteString("-- generated data\n")
	pad := strings.Repeat("p", 300)
	for i := 1; i <= n; i++ {
		if i == bad {
			b.WriteString(badSQL + ";\n")
			continue
		}
		fmt.Fprintf(&b, "INSERT INTO big VALUES (%d, 'row; it''s %d %s')", i, i, pad)
		if i == n {
			b.WriteString("; -- the end, no newline")
			continue
		}
		b.WriteString(";\n")
	}
	return b.String()
}

// TestLargeFileInBatches: a large file in a transaction goes in batches
// (many statements per round trip) on the databases that can; it applies
// whole, and a failing statement anywhere in it (first batch, a later
// batch, a syntax error PostgreSQL finds before running the batch) is
// named by file, line and index, with the file rolled back and not
// recorded, as when statements go one by one.
func TestLargeFileInBatches(t *testing.T) {
	t.Parallel()
	const n = 4000 // ~1.3 MB: two batches and more
	for _, kind := range []string{"postgres", "mysql"} {
		for _, tc := range []struct {
			name   string
			bad    int
			badSQL string
		}{
			{name: "applies"},
			{name: "fails in the first batch", bad: 17, badSQL: "INSERT INTO big VALUES (17, 'x', 'too many')"},
			{name: "fails in a later batch", bad: 3501, badSQL: "INSERT INTO big VALUES (3501, 'x', 'too many')"},
			{name: "syntax error in a later batch", bad: 3502, badSQL: "INSERT INTO big VALUESS (3502, 'x')"},
			{name: "fails at the last statement", bad: n, badSQL: "INSERT INTO missing VALUES (1)"},
		} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				db := testdb.New(t, kind)
				sqlDB := db.Open(t)
				var mu sync.Mutex
				batched, started := 0, 0
				observe := func(e strata.Event) {
					if e.Kind != strata.EventStatementStart || !strings.HasSuffix(e.Migration.Path, "0002_data.sql") {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					started++
					if e.Batched {
						batched++
					}
				}
				fsys := files(
					"0001_table.sql", "CREATE TABLE big (id int, v varchar(400));\n",
					"0002_data.sql", largeFile(n, tc.bad, tc.badSQL),
				)
				m := newMigrator(t, db, sqlDB, fsys, strata.WithSourceName("migrations"), strata.WithObserver(observe))
				res, err := m.Up(ctx, strata.PlanOptions{})
				var count int
				if qerr := sqlDB.QueryRowContext(ctx, "SELECT count(*) FROM big").Scan(&count); qerr != nil {
					t.Fatal(qerr)
				}
				st, serr := m.Status(ctx)
				if serr != nil {
					t.Fatal(serr)
				}
				state := map[string]strata.MigrationStatus{}
				for _, ms := range st.Migrations {
					state[ms.ID] = ms
				}
				if batched < started/2 {
					t.Errorf("%d of %d statements were sent batched, want most", batched, started)
				}
				if tc.bad == 0 {
					if err != nil {
						t.Fatalf("up: %v", err)
					}
					if len(res.Applied) != 2 || res.Applied[1].Statements != n || count != n {
						t.Errorf("applied %+v, %d rows, want 2 files, %d statements and rows", res.Applied, count, n)
					}
					if r := state["2"].Record; state["2"].State != strata.StateApplied || r == nil || r.StatementsApplied != n || r.StatementsTotal != n {
						t.Errorf("0002 is %v, recorded as %+v, want applied with %d statements", state["2"].State, r, n)
					}
					return
				}
				var se *strata.StatementError
				if !errors.As(err, &se) {
					t.Fatalf("up: %v, want a statement error", err)
				}
				if se.File != "migrations/0002_data.sql" || se.Line != tc.bad+1 || se.Index != tc.bad || se.Code == "" {
					t.Errorf("statement error at %s:%d statement %d (code %q), want migrations/0002_data.sql:%d statement %d: %v",
						se.File, se.Line, se.Index, se.Code, tc.bad+1, tc.bad, err)
				}
				if !strings.Contains(se.Statement, strings.Fields(tc.badSQL)[2]) {
					t.Errorf("statement error names %q, want the failing statement %q", se.Statement, tc.badSQL)
				}
				if !strings.Contains(se.Outcome, "rolled back") {
					t.Errorf("outcome %q, want rolled back", se.Outcome)
				}
				if count != 0 || state["2"].State != strata.StatePending || state["2"].Record != nil || state["1"].State != strata.StateApplied {
					t.Errorf("after the failure: %d rows, 0002 %v recorded as %+v; want no rows, 0002 pending and unrecorded, 0001 applied",
						count, state["2"].State, state["2"].Record)
				}
			})
		}
	}
}

// TestLargeFileInBatchesCancelled: a run cancelled while a large file goes
// in batches stops, leaves nothing of the file applied or recorded, and
// releases the lock: the next run applies the file whole.
func TestLargeFileInBatchesCancelled(t *testing.T) {
	t.Parallel()
	const n = 4000
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			sqlDB := db.Open(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			observe := func(e strata.Event) {
				if e.Kind == strata.EventStatementStart && e.Index == n/2 && strings.HasSuffix(e.Migration.Path, "0002_data.sql") {
					cancel() // in a later batch, before it is sent
				}
			}
			fsys := files(
				"0001_table.sql", "CREATE TABLE big (id int, v varchar(400));\n",
				"0002_data.sql", largeFile(n, 0, ""),
			)
			m := newMigrator(t, db, sqlDB, fsys, strata.WithObserver(observe))
			if _, err := m.Up(ctx, strata.PlanOptions{}); !errors.Is(err, context.Canceled) {
				t.Fatalf("up: %v, want cancelled", err)
			}
			bg := context.Background()
			var count int
			if err := sqlDB.QueryRowContext(bg, "SELECT count(*) FROM big").Scan(&count); err != nil {
				t.Fatal(err)
			}
			if count != 0 {
				t.Errorf("%d rows after the cancelled run, want none", count)
			}
			res, err := newMigrator(t, db, sqlDB, fsys).Up(bg, strata.PlanOptions{})
			if err != nil || len(res.Applied) != 1 || res.Applied[0].Statements != n {
				t.Fatalf("up again: %v, applied %+v; want 0002 whole", err, res)
			}
			if err := sqlDB.QueryRowContext(bg, "SELECT count(*) FROM big").Scan(&count); err != nil || count != n {
				t.Errorf("%d rows (%v), want %d", count, err, n)
			}
		})
	}
}
