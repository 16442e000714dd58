package strata_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/testdb"
)

// halfFile fails at its second statement after creating table half; with
// the no-transaction directive it leaves a partial row on every database.
const halfFile = "-- strata:no-transaction\nCREATE TABLE half (id int);\nINSERT INTO no_such_table VALUES (1);\n"

// resolveFixture is an applied file 1, a partial file 2 and a pending file 3.
func resolveFixture(t *testing.T, db testdb.DB, sqlDB *sql.DB) fstest.MapFS {
	t.Helper()
	fsys := files("0001_ok.sql", "CREATE TABLE ok1 (id int);", "0002_half.sql", halfFile)
	if _, err := newMigrator(t, db, sqlDB, fsys).Up(context.Background(), strata.PlanOptions{}); err == nil {
		t.Fatal("up succeeded, want 0002 to fail")
	}
	fsys["0003_later.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE later3 (id int);")}
	return fsys
}

func TestResolve(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		prepare  func(t *testing.T, fsys fstest.MapFS, sqlDB *sql.DB) // the human's fix
		opts     strata.ResolveOptions
		oldState strata.State
		newState strata.State
		after    func(t *testing.T, m *strata.Migrator, sqlDB *sql.DB)
	}{
		{
			name: "applied after finishing by hand",
			prepare: func(t *testing.T, fsys fstest.MapFS, _ *sql.DB) {
				fsys["0002_half.sql"] = &fstest.MapFile{Data: []byte(strings.Replace(halfFile, "no_such_table", "half", 1))}
			},
			opts:     strata.ResolveOptions{Version: "0002", Action: strata.ResolveApplied, Reason: "inserted the row by hand"},
			oldState: strata.StatePartial, newState: strata.StateApplied,
			after: func(t *testing.T, m *strata.Migrator, sqlDB *sql.DB) {
				res := up(t, m)
				if len(res.Applied) != 1 || res.Applied[0].Migration.ID() != "3" {
					t.Errorf("up after resolve applied %+v, want only 3", res.Applied)
				}
			},
		},
		{
			name: "rolled back after undoing by hand",
			prepare: func(t *testing.T, fsys fstest.MapFS, sqlDB *sql.DB) {
				if _, err := sqlDB.Exec("DROP TABLE half"); err != nil {
					t.Fatal(err)
				}
				fsys["0002_half.sql"] = &fstest.MapFile{Data: []byte(strings.Replace(halfFile, "no_such_table", "half", 1))}
			},
			opts:     strata.ResolveOptions{Version: "2", Action: strata.ResolveRolledBack, Reason: "dropped half by hand"},
			oldState: strata.StatePartial, newState: strata.StatePending,
			after: func(t *testing.T, m *strata.Migrator, sqlDB *sql.DB) {
				res := up(t, m)
				if len(res.Applied) != 2 || res.Applied[0].Statements != 2 {
					t.Errorf("up after resolve applied %+v, want 2 (from its start) and 3", res.Applied)
				}
				if n := count(t, sqlDB, "SELECT COUNT(*) FROM half"); n != 1 {
					t.Errorf("half has %d rows, want 1", n)
				}
			},
		},
		{
			name: "accept a deliberate edit",
			prepare: func(t *testing.T, fsys fstest.MapFS, _ *sql.DB) {
				fsys["0001_ok.sql"] = &fstest.MapFile{Data: []byte("-- creates ok1\nCREATE TABLE ok1 (id int);")}
			},
			opts:     strata.ResolveOptions{Version: "1", Action: strata.ResolveAcceptEdit, Reason: "added a comment"},
			oldState: strata.StateEdited, newState: strata.StateApplied,
		},
	}
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				sqlDB := testdb.New(t, kindOf(db)).Open(t)
				fsys := resolveFixture(t, db, sqlDB)
				tc.prepare(t, fsys, sqlDB)
				m := newMigrator(t, db, sqlDB, fsys)
				before, err := m.History(ctx, tc.opts.Version)
				if err != nil {
					t.Fatal(err)
				}
				res, err := m.Resolve(ctx, tc.opts)
				if err != nil {
					t.Fatalf("resolve: %v", err)
				}
				if res.OldState != tc.oldState || res.NewState != tc.newState || res.OldChecksum != before.Status.RecordedChecksum {
					t.Errorf("result = %+v", res)
				}
				h, err := m.History(ctx, tc.opts.Version)
				if err != nil {
					t.Fatal(err)
				}
				if h.Status.State != tc.newState {
					t.Errorf("state after resolve = %s, want %s", h.Status.State, tc.newState)
				}
				if tc.newState == strata.StateApplied && h.Status.RecordedChecksum != h.Status.Migration.Checksum {
					t.Errorf("recorded checksum %s, want the file's %s", h.Status.RecordedChecksum, h.Status.Migration.Checksum)
				}
				if len(h.Audit) != 1 {
					t.Fatalf("audit has %d entries, want 1", len(h.Audit))
				}
				a := h.Audit[0]
				if a.Reason != tc.opts.Reason || a.By == "" || a.OldState != string(tc.oldState) || a.NewState != string(tc.newState) ||
					a.OldChecksum != before.Status.RecordedChecksum || a.NewChecksum != res.NewChecksum || a.At.IsZero() {
					t.Errorf("audit entry = %+v", a)
				}
				if tc.oldState == strata.StatePartial && !strings.Contains(a.Detail, "no_such_table") {
					t.Errorf("audit detail %q lacks the recorded error", a.Detail)
				}
				if tc.after != nil {
					tc.after(t, newMigrator(t, db, sqlDB, fsys), sqlDB)
				}
			})
		}
	})
}

func TestResolveRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    strata.ResolveOptions
		state   strata.State // the ResolveError's state; "" for other errors
		message string
		is      error
	}{
		{"no reason", strata.ResolveOptions{Version: "2", Action: strata.ResolveApplied, Reason: "  "}, "", "reason is required", strata.ErrReasonRequired},
		{"applied on applied", strata.ResolveOptions{Version: "1", Action: strata.ResolveApplied, Reason: "x"}, strata.StateApplied, "already applied", nil},
		{"rolled back on applied", strata.ResolveOptions{Version: "1", Action: strata.ResolveRolledBack, Reason: "x"}, strata.StateApplied, "already applied", nil},
		{"applied on pending", strata.ResolveOptions{Version: "3", Action: strata.ResolveApplied, Reason: "x"}, strata.StatePending, "apply it with Up", nil},
		{"accept edit, not edited", strata.ResolveOptions{Version: "1", Action: strata.ResolveAcceptEdit, Reason: "x"}, strata.StateApplied, "not edited", nil},
		{"accept edit on partial", strata.ResolveOptions{Version: "2", Action: strata.ResolveAcceptEdit, Reason: "x"}, strata.StatePartial, "rolled back (you undid it)", nil},
		{"unknown version", strata.ResolveOptions{Version: "42", Action: strata.ResolveApplied, Reason: "x"}, "", "nearest: 3, 2, 1", nil},
		{"bad action", strata.ResolveOptions{Version: "2", Action: "forget", Reason: "x"}, "", "use applied, rolled-back or accept-edit", nil},
	}
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := resolveFixture(t, db, sqlDB)
		m := newMigrator(t, db, sqlDB, fsys)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := m.Resolve(ctx, tc.opts)
				if err == nil || !strings.Contains(err.Error(), tc.message) {
					t.Fatalf("got %v, want an error containing %q", err, tc.message)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("%v is not %v", err, tc.is)
				}
				var re *strata.ResolveError
				if (tc.state != "") != errors.As(err, &re) || (re != nil && re.State != tc.state) {
					t.Errorf("got %#v, want a ResolveError in state %q", err, tc.state)
				}
			})
		}
		st := states(t, m)
		if st["1"] != strata.StateApplied || st["2"] != strata.StatePartial || st["3"] != strata.StatePending {
			t.Errorf("refusals changed the history: %v", st)
		}
		for _, id := range []string{"1", "2", "3"} {
			if a := audit(t, m, id); len(a) != 0 {
				t.Errorf("refusals wrote audit entries for %s: %+v", id, a)
			}
		}
	})
}

// The recovery the issue describes: a DDL file fails half-way on MySQL, a
// human undoes what ran and fixes the file, resolve --rolled-back forgets the
// attempt, and up runs the file again from its first statement.
func TestResolveRolledBackThenUpRerunsFromStart(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		bad := "CREATE TABLE t1 (id int);\nCREATE TABLE t2 (id int REFERENCES no_such_table (id));\nCREATE TABLE t3 (id int);\n"
		if db.DriverName != "mysql" {
			bad = "-- strata:no-transaction\n" + strings.Replace(bad, "REFERENCES no_such_table (id)", "CHECK (no_such_column > 0)", 1)
		}
		fsys := files("0001_tables.sql", bad)
		m := newMigrator(t, db, sqlDB, fsys)
		if _, err := m.Up(ctx, strata.PlanOptions{}); err == nil {
			t.Fatal("up succeeded, want a failure at statement 2")
		}
		if st := states(t, m); st["1"] != strata.StatePartial {
			t.Fatalf("after the failure 1 is %s, want partial", st["1"])
		}
		if _, err := sqlDB.Exec("DROP TABLE t1"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Resolve(ctx, strata.ResolveOptions{Version: "1", Action: strata.ResolveRolledBack, Reason: "dropped t1; fixing t2"}); err != nil {
			t.Fatalf("resolve: %v", err)
		}
		fsys["0001_tables.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE t1 (id int);\nCREATE TABLE t2 (id int);\nCREATE TABLE t3 (id int);\n")}
		m = newMigrator(t, db, sqlDB, fsys)
		res, err := m.Up(ctx, strata.PlanOptions{})
		if err != nil || len(res.Applied) != 1 || res.Applied[0].Statements != 3 {
			t.Fatalf("up after resolve: %v %+v", err, res)
		}
		for _, tb := range []string{"t1", "t2", "t3"} {
			if !exists(t, db, sqlDB, tb) {
				t.Errorf("table %s missing after the re-run", tb)
			}
		}
		h, err := m.History(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		if h.Status.State != strata.StateApplied || h.Status.StatementsApplied != 3 || len(h.Audit) != 1 ||
			h.Audit[0].Action != string(history.ActionResolveRolledBack) || h.Audit[0].NewState != "pending" {
			t.Errorf("history after the re-run: %+v, audit %+v", h.Status, h.Audit)
		}
	})
}

// History lists a migration's audit entries oldest first, across actions.
func TestHistoryAuditInTimeOrder(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := resolveFixture(t, db, sqlDB)
		// The table dropped by hand below is schema drift, allowed.
		m := newMigrator(t, db, sqlDB, fsys, strata.WithAllowDrift(true))
		if _, err := m.Resolve(ctx, strata.ResolveOptions{Version: "2", Action: strata.ResolveRolledBack, Reason: "first"}); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlDB.Exec("DROP TABLE half"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Up(ctx, strata.PlanOptions{}); err == nil {
			t.Fatal("second up succeeded, want the same failure")
		}
		if _, err := m.Resolve(ctx, strata.ResolveOptions{Version: "0002", Action: strata.ResolveApplied, Reason: "second"}); err != nil {
			t.Fatal(err)
		}
		h, err := m.History(ctx, "00002")
		if err != nil {
			t.Fatal(err)
		}
		if h.Status.ID != "2" || h.Status.State != strata.StateApplied || len(h.Audit) != 2 {
			t.Fatalf("history = %+v with %d audit entries", h.Status, len(h.Audit))
		}
		if h.Audit[0].Reason != "first" || h.Audit[1].Reason != "second" || h.Audit[1].At.Before(h.Audit[0].At) ||
			h.Audit[0].Action != string(history.ActionResolveRolledBack) || h.Audit[1].Action != string(history.ActionResolveApplied) {
			t.Errorf("audit out of order: %+v", h.Audit)
		}
		// A rolled-back migration whose file was then deleted is known from
		// its audit trail only.
		delete(fsys, "0003_later.sql")
		if _, err := m.Resolve(ctx, strata.ResolveOptions{Version: "3", Action: strata.ResolveApplied, Reason: "x"}); err == nil {
			t.Fatal("resolve on a pending version succeeded")
		}
		var ue *strata.UnknownVersionError
		if _, err := m.History(ctx, "77"); !errors.As(err, &ue) {
			t.Errorf("history of an unknown version: %v", err)
		}
	})
}

// Writing commands wait for the migration lock and give up after the lock
// timeout, changing nothing.
func TestResolveDownBaselineWaitForTheLock(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		resolveFixture(t, db, sqlDB)
		fsys := files("0001_ok.sql", "CREATE TABLE ok1 (id int);", "0001_ok.down.sql", "DROP TABLE ok1;", "0002_half.sql", halfFile)
		// Its own pool: the SQLite pool has one connection.
		holder := newMigrator(t, db, db.Open(t), fsys)
		release, err := holder.Lock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		m := newMigrator(t, db, sqlDB, fsys, strata.WithLockTimeout(300*time.Millisecond))
		_, err = m.Resolve(ctx, strata.ResolveOptions{Version: "2", Action: strata.ResolveRolledBack, Reason: "x"})
		if !errors.Is(err, strata.ErrLockTimeout) {
			t.Errorf("resolve under a held lock: %v, want a lock timeout", err)
		}
		_, err = m.Baseline(ctx, strata.BaselineOptions{Version: version(t, "1"), Force: true})
		if !errors.Is(err, strata.ErrLockTimeout) {
			t.Errorf("baseline under a held lock: %v, want a lock timeout", err)
		}
		if st := states(t, m); st["2"] != strata.StatePartial {
			t.Errorf("2 is %s after lock timeouts, want partial", st["2"])
		}
	})
}
