package strata_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// threeWithDowns is three migrations, each creating a table, with down
// files dropping them.
func threeWithDowns() fstest.MapFS {
	return files(
		"0001_a.sql", "CREATE TABLE a (id int);",
		"0001_a.down.sql", "DROP TABLE a;",
		"0002_b.sql", "CREATE TABLE b (id int);",
		"0002_b.down.sql", "DROP TABLE b;",
		"0003_c.sql", "CREATE TABLE c (id int);\nINSERT INTO c VALUES (1);",
		"0003_c.down.sql", "-- undo c\nDROP TABLE c;",
	)
}

func version(t testing.TB, s string) source.Version {
	t.Helper()
	v, err := source.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func exists(t testing.TB, db testdb.DB, sqlDB *sql.DB, table string) bool {
	t.Helper()
	ok, err := dialectFor(t, db).TableExists(context.Background(), sqlDB, dialect.Table{Name: table})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// states returns the state of every migration, by ID.
func states(t testing.TB, m *strata.Migrator) map[string]strata.State {
	t.Helper()
	st, err := m.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]strata.State{}
	for _, ms := range st.Migrations {
		out[ms.ID] = ms.State
	}
	return out
}

// kindOf names db's kind for testdb.New, for subtests that need a fresh
// database of the same kind.
func kindOf(db testdb.DB) string {
	if db.DriverName == "pgx" {
		return "postgres"
	}
	return db.DriverName
}

func audit(t testing.TB, m *strata.Migrator, id string) []strata.AuditEntry {
	t.Helper()
	h, err := m.History(context.Background(), id)
	if err != nil {
		t.Fatalf("history %s: %v", id, err)
	}
	return h.Audit
}

func TestDown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    func(t testing.TB) strata.DownOptions
		gone    []string // versions rolled back, in order
		current string
	}{
		{"down 1 by default", func(testing.TB) strata.DownOptions { return strata.DownOptions{} }, []string{"3"}, "2"},
		{"down N", func(testing.TB) strata.DownOptions { return strata.DownOptions{Steps: 2, Reason: "two"} }, []string{"3", "2"}, "1"},
		{"down to a version", func(t testing.TB) strata.DownOptions { return strata.DownOptions{To: version(t, "0001")} }, []string{"3", "2"}, "1"},
		{"down to 0", func(t testing.TB) strata.DownOptions { return strata.DownOptions{To: version(t, "0")} }, []string{"3", "2", "1"}, ""},
	}
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				sqlDB := testdb.New(t, kindOf(db)).Open(t)
				m := newMigrator(t, db, sqlDB, threeWithDowns(), strata.WithSourceName("migrations"))
				up(t, m)
				opts := tc.opts(t)
				p, err := m.PlanDown(ctx, opts)
				if err != nil {
					t.Fatalf("plan down: %v", err)
				}
				if len(p.Steps) != len(tc.gone) || p.Direction != strata.DirectionDown {
					t.Fatalf("plan has %d steps (%s), want %d (down)", len(p.Steps), p.Direction, len(tc.gone))
				}
				if p.Steps[0].File != "migrations/0003_c.down.sql" || p.Steps[0].Statements != 1 {
					t.Errorf("first step = %s with %d statements", p.Steps[0].File, p.Steps[0].Statements)
				}
				if want := db.DriverName != "mysql"; p.Steps[0].Transactional != want {
					t.Errorf("transactional = %v, want %v (%s)", p.Steps[0].Transactional, want, p.Steps[0].Reason)
				}
				res, err := m.Apply(ctx, p)
				if err != nil {
					t.Fatalf("apply down: %v", err)
				}
				if res.Direction != strata.DirectionDown {
					t.Errorf("result direction = %q, want down", res.Direction)
				}
				if res.Current.String() != tc.current {
					t.Errorf("current = %q, want %q", res.Current, tc.current)
				}
				st := states(t, m)
				for i, id := range tc.gone {
					if got := res.Applied[i].Migration.ID(); got != id {
						t.Errorf("rolled back #%d = %s, want %s", i, got, id)
					}
					if st[id] != strata.StatePending {
						t.Errorf("%s is %s, want pending", id, st[id])
					}
					if exists(t, db, sqlDB, map[string]string{"1": "a", "2": "b", "3": "c"}[id]) {
						t.Errorf("table of %s still exists", id)
					}
					a := audit(t, m, id)
					if len(a) != 1 || a[0].Action != string(history.ActionDown) || a[0].OldState != "applied" || a[0].NewState != "pending" ||
						a[0].By == "" || a[0].OldChecksum == "" || a[0].Reason != opts.Reason || !strings.Contains(a[0].Detail, ".down.sql") {
						t.Errorf("audit of %s = %+v", id, a)
					}
				}
				for _, id := range []string{"1", "2", "3"}[:3-len(tc.gone)] {
					if st[id] != strata.StateApplied {
						t.Errorf("%s is %s, want applied", id, st[id])
					}
				}
				// up applies the rolled-back files again.
				if res := up(t, m); len(res.Applied) != len(tc.gone) {
					t.Errorf("up after down applied %d, want %d", len(res.Applied), len(tc.gone))
				}
			})
		}
	})
}

func TestDownRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, fsys fstest.MapFS, sqlDB *sql.DB)
		opts  strata.DownOptions
		check func(t *testing.T, err error)
	}{
		{
			name:  "missing down file",
			setup: func(t *testing.T, fsys fstest.MapFS, _ *sql.DB) { delete(fsys, "0003_c.down.sql") },
			check: func(t *testing.T, err error) {
				var de *strata.RefusedError
				if !errors.As(err, &de) || !de.Has(strata.ProblemNoDownFile) || !strings.Contains(err.Error(), "0003_c.down.sql") {
					t.Errorf("got %v, want a refusal naming 0003_c.down.sql", err)
				}
			},
		},
		{
			name: "edited up file",
			setup: func(t *testing.T, fsys fstest.MapFS, _ *sql.DB) {
				fsys["0003_c.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE c (id bigint);\nINSERT INTO c VALUES (1);")}
			},
			check: func(t *testing.T, err error) {
				var de *strata.RefusedError
				if !errors.As(err, &de) || !de.Has(strata.ProblemEdited) || de.Problems[0].Remedy != strata.RemedyAcceptEdit || !strings.Contains(err.Error(), "ResolveAcceptEdit") {
					t.Errorf("got %v, want an edited refusal", err)
				}
			},
		},
		{
			name: "partial row",
			setup: func(t *testing.T, _ fstest.MapFS, sqlDB *sql.DB) {
				if _, err := sqlDB.Exec("UPDATE strata_schema_history SET status = 'partial', statements_applied = 1, statements_total = 2 WHERE id = '1'"); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, err error) {
				var de *strata.RefusedError
				if !errors.As(err, &de) || !de.Has(strata.ProblemIncomplete) || de.Problems[0].Remedy != strata.RemedySettleFirst || de.Problems[0].Version != "1" {
					t.Errorf("got %v, want a refusal on the partial row", err)
				}
			},
		},
		{
			name: "unknown target version",
			opts: strata.DownOptions{To: func() source.Version { v, _ := source.ParseVersion("9"); return v }()},
			check: func(t *testing.T, err error) {
				var ue *strata.UnknownVersionError
				if !errors.As(err, &ue) || len(ue.Nearest) == 0 || ue.Nearest[0] != "3" {
					t.Errorf("got %v, want an unknown version error listing 3 first", err)
				}
			},
		},
		{
			name: "more steps than applied",
			opts: strata.DownOptions{Steps: 5},
			check: func(t *testing.T, err error) {
				var ce *strata.ConfigError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), "only 3 are applied") {
					t.Errorf("got %v, want a config error", err)
				}
			},
		},
	}
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sqlDB := testdb.New(t, kindOf(db)).Open(t)
				fsys := threeWithDowns()
				up(t, newMigrator(t, db, sqlDB, fsys))
				if tc.setup != nil {
					tc.setup(t, fsys, sqlDB)
				}
				m := newMigrator(t, db, sqlDB, fsys)
				_, err := m.Down(context.Background(), tc.opts)
				tc.check(t, err)
				for _, tb := range []string{"a", "b", "c"} {
					if !exists(t, db, sqlDB, tb) {
						t.Errorf("table %s was dropped by a refused down", tb)
					}
				}
				if n := count(t, sqlDB, "SELECT COUNT(*) FROM strata_schema_history WHERE kind <> 'layout'"); n != 3 {
					t.Errorf("history has %d rows after a refused down, want 3", n)
				}
			})
		}
	})
}

// A down file that fails half-way: MySQL leaves the row partial with an
// error naming the down file; PostgreSQL and SQLite roll the file back and
// leave the migration applied.
func TestDownFailingStatement(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := threeWithDowns()
		fsys["0003_c.down.sql"] = &fstest.MapFile{Data: []byte("DROP TABLE c;\nDROP TABLE no_such_table;\n")}
		m := newMigrator(t, db, sqlDB, fsys, strata.WithSourceName("migrations"))
		up(t, m)
		_, err := m.Down(ctx, strata.DownOptions{})
		var se *strata.StatementError
		if !errors.As(err, &se) || se.File != "migrations/0003_c.down.sql" || se.Line != 2 || se.Index != 2 {
			t.Fatalf("down: %v; want a statement error at migrations/0003_c.down.sql:2", err)
		}
		h, err := m.History(ctx, "3")
		if err != nil {
			t.Fatal(err)
		}
		if db.DriverName != "mysql" {
			if h.Status.State != strata.StateApplied || !exists(t, db, sqlDB, "c") || len(h.Audit) != 0 {
				t.Fatalf("state %s, c exists %v, audit %v; want applied, rolled back, no audit", h.Status.State, exists(t, db, sqlDB, "c"), h.Audit)
			}
			return
		}
		if h.Status.State != strata.StatePartial || h.Status.StatementsApplied != 1 || h.Status.StatementsTotal != 2 ||
			!strings.Contains(h.Status.Error, "down file migrations/0003_c.down.sql:2") || exists(t, db, sqlDB, "c") {
			t.Fatalf("after failed down: %+v; want partial 1/2 with the down file in the error", h.Status)
		}
		if h.Status.Record.File != "0003_c.down.sql" {
			t.Errorf("row's file = %q, want the down file", h.Status.Record.File)
		}
		if len(h.Audit) != 1 || h.Audit[0].NewState != "partial" || !strings.Contains(h.Audit[0].Detail, "0003_c.down.sql:2") {
			t.Errorf("audit = %+v; want one down entry ending partial", h.Audit)
		}
		if !strings.Contains(se.Error(), "recorded as partial") {
			t.Errorf("message %q does not say the row is partial", se)
		}
		// Up and down both refuse until a human settles it.
		if _, err := m.Up(ctx, strata.PlanOptions{}); err == nil {
			t.Error("up after a partial down succeeded")
		}
		// --resume cannot continue a down file's row either: it points
		// to resolve instead of comparing the wrong file's statements.
		_, err = m.Up(ctx, strata.PlanOptions{Resume: true})
		var drift *strata.RefusedError
		if !errors.As(err, &drift) || !strings.Contains(err.Error(), "left by a down file") ||
			drift.Problems[0].Remedy != strata.RemedyResolveDownRow || !drift.Problems[0].ResumeRefused {
			t.Errorf("up --resume after a partial down: %v; want a refusal pointing to resolve", err)
		}
		var de *strata.RefusedError
		if _, err := m.Down(ctx, strata.DownOptions{}); !errors.As(err, &de) || !de.Has(strata.ProblemIncomplete) {
			t.Errorf("down after a partial down: %v", err)
		}
		// --applied settles it as "the human restored what the down undid":
		// the row names the up file again.
		if _, err := sqlDB.Exec("CREATE TABLE c (id int)"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Resolve(ctx, strata.ResolveOptions{Version: "3", Action: strata.ResolveApplied, Reason: "recreated c"}); err != nil {
			t.Fatal(err)
		}
		if h, _ := m.History(ctx, "3"); h.Status.State != strata.StateApplied || h.Status.Record.File != "0003_c.sql" || len(h.Audit) != 2 {
			t.Errorf("after resolve --applied: %+v, %d audit entries", h.Status.Record, len(h.Audit))
		}

		// A down file whose first statement fails changed nothing: the row
		// is restored as it was.
		fsys2 := threeWithDowns()
		fsys2["0002_b.down.sql"] = &fstest.MapFile{Data: []byte("DROP TABLE no_such_table;\nDROP TABLE b;\n")}
		sqlDB2 := testdb.New(t, "mysql").Open(t)
		m2 := newMigrator(t, db, sqlDB2, fsys2)
		up(t, m2)
		before, _ := m2.History(ctx, "2")
		if _, err := m2.Down(ctx, strata.DownOptions{Steps: 2}); err == nil {
			t.Fatal("down succeeded, want a failure")
		}
		after, _ := m2.History(ctx, "2")
		if after.Status.State != strata.StateApplied || after.Status.StatementsApplied != before.Status.StatementsApplied ||
			after.Status.Error != "" || !exists(t, db, sqlDB2, "b") || len(after.Audit) != 0 {
			t.Errorf("after a down failing at statement 1: %+v; want the row unchanged", after.Status)
		}
		if st := states(t, m2); st["3"] != strata.StatePending {
			t.Errorf("3 is %s, want pending (rolled back before 2 failed)", st["3"])
		}
	})
}

func TestRedo(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		m := newMigrator(t, db, sqlDB, threeWithDowns())
		up(t, m)
		if _, err := sqlDB.Exec("INSERT INTO c VALUES (2)"); err != nil {
			t.Fatal(err)
		}
		res, err := m.Redo(ctx)
		if err != nil {
			t.Fatalf("redo: %v", err)
		}
		if len(res.Down.Applied) != 1 || len(res.Up.Applied) != 1 || res.Up.Applied[0].Migration.ID() != "3" || res.Up.Current.String() != "3" {
			t.Fatalf("redo result: %+v / %+v", res.Down, res.Up)
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM c"); n != 1 {
			t.Errorf("c has %d rows, want 1: the table must have been dropped and created again", n)
		}
		st := states(t, m)
		if st["1"] != strata.StateApplied || st["2"] != strata.StateApplied || st["3"] != strata.StateApplied {
			t.Errorf("states after redo: %v", st)
		}
		if a := audit(t, m, "3"); len(a) != 1 || a[0].Action != string(history.ActionDown) || a[0].Reason != "strata redo" {
			t.Errorf("audit = %+v", a)
		}

		// Nothing applied: nothing to redo.
		m0 := newMigrator(t, db, testdb.New(t, kindOf(db)).Open(t), threeWithDowns())
		var ce *strata.ConfigError
		if _, err := m0.Redo(ctx); !errors.As(err, &ce) {
			t.Errorf("redo on an empty database: %v, want a config error", err)
		}
	})
}
