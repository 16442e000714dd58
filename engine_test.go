package strata_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// The shared executor's contract, the same in every direction: a zero
// plan is nothing to do, the connection goes back clean, and a history
// that changed between the plan and the lock is handled by one policy
// (skip what another run did, refuse what the plan did not list).

func TestZeroPlansDoNothing(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		m := newMigrator(t, db, db.Open(t), threeWithDowns())
		for name, apply := range map[string]func() error{
			"Apply(&Plan{})":     func() error { _, err := m.Apply(ctx, &strata.Plan{}); return err },
			"Apply(nil)":         func() error { _, err := m.Apply(ctx, nil); return err },
			"Apply(&Plan{down})": func() error { _, err := m.Apply(ctx, &strata.Plan{Direction: strata.DirectionDown}); return err },
		} {
			if err := apply(); err != nil {
				t.Errorf("%s: %v, want nothing done and no error", name, err)
			}
		}
		for id, s := range states(t, m) {
			if s != strata.StatePending {
				t.Errorf("after zero plans, %s is %s, want pending", id, s)
			}
		}
	})
}

// TestConnectionGoesBackClean: the pinned connection strata used must not
// return to the application's pool with strata's session state on it,
// whether the state came from WithSessionSQL or from a file that failed
// after a SET (so it was never reset).
func TestConnectionGoesBackClean(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		var session, fileSet, read, leaked string
		switch db.DriverName {
		case "pgx":
			session, fileSet, read, leaked = "SET statement_timeout = '4321ms'", "SET statement_timeout = '4321ms'", "SHOW statement_timeout", "4321ms"
		case "mysql":
			session, fileSet, read, leaked = "SET SESSION wait_timeout = 4321", "SET SESSION wait_timeout = 4321", "SELECT @@SESSION.wait_timeout", "4321"
		default:
			session, read, leaked = "PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys", "0" // the DSN turns them on
		}
		// run applies one file with its own history table and returns the
		// setting on every connection left in the application's pool.
		run := func(t *testing.T, table, file string, opts ...strata.Option) []string {
			sqlDB := db.Open(t)
			m := newMigrator(t, db, sqlDB, files("0001_"+table+".sql", file), append(opts, strata.WithTable(table))...)
			_, _ = m.Up(ctx, strata.PlanOptions{}) // may fail: the state must not leak either way
			if _, err := m.Status(ctx); err != nil {
				t.Fatal(err)
			}
			// database/sql hands out idle connections before opening new
			// ones: holding as many as are idle checks every one of them.
			var vs []string
			for range sqlDB.Stats().Idle {
				c, err := sqlDB.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var v string
				if err := c.QueryRowContext(ctx, read).Scan(&v); err != nil {
					t.Fatal(err)
				}
				vs = append(vs, v)
			}
			return vs
		}
		t.Run("WithSessionSQL", func(t *testing.T) {
			if v := run(t, "hist_a", "CREATE TABLE clean_a (id int);", strata.WithSessionSQL(session)); slices.Contains(v, leaked) {
				t.Errorf("after Up with WithSessionSQL(%q), the application's connection has %s = %s", session, read, v)
			}
		})
		if fileSet == "" {
			return // SQLite: no file statement changes the session (dialect.ChangesSession)
		}
		t.Run("file failed after SET", func(t *testing.T) {
			// Outside a transaction, so the SET stays after the failure.
			f := "-- strata:no-transaction\n" + fileSet + ";\nSELECT * FROM no_such_table;\n"
			if v := run(t, "hist_b", f); slices.Contains(v, leaked) {
				t.Errorf("after a file that ran %q and failed, the application's connection has %s = %s", fileSet, read, v)
			}
		})
	})
}

// TestChangedHistoryPolicy: one policy in every direction for a history
// that changed between the plan and the lock. What another run already did
// is skipped; a file the plan did not list refuses the run with
// ErrHistoryChanged, and nothing runs.
func TestChangedHistoryPolicy(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		m := newMigrator(t, db, sqlDB, threeWithDowns())
		other := newMigrator(t, db, sqlDB, threeWithDowns())
		up(t, m)

		// Down: plan 3 and 2; another run rolls back 3; 2 still rolls back.
		p, err := m.PlanDown(ctx, strata.DownOptions{To: version(t, "1")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Down(ctx, strata.DownOptions{}); err != nil {
			t.Fatal(err)
		}
		res, err := m.Apply(ctx, p)
		if err != nil {
			t.Fatalf("down after another run rolled back one of its files: %v, want the rest rolled back", err)
		}
		if len(res.Applied) != 1 || res.Applied[0].Migration.ID() != "2" {
			t.Fatalf("rolled back %+v, want only 2", res.Applied)
		}

		// Up: plan 3 (1 is applied, 2 was just rolled back: plan up to 1
		// first, then let another run roll back 1 after the plan).
		if _, err := m.Up(ctx, strata.PlanOptions{To: version(t, "2")}); err != nil {
			t.Fatal(err)
		}
		pu, err := m.Plan(ctx, strata.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pu.Steps) != 1 || pu.Steps[0].Migration.ID() != "3" {
			t.Fatalf("plan %+v, want 3", pu.Steps)
		}
		if _, err := other.Down(ctx, strata.DownOptions{}); err != nil { // rolls back 2
			t.Fatal(err)
		}
		if _, err := m.Apply(ctx, pu); !errors.Is(err, strata.ErrHistoryChanged) {
			t.Fatalf("apply of a plan that did not list 2 after 2 was rolled back: %v, want ErrHistoryChanged", err)
		}
		if s := states(t, m); s["2"] != strata.StatePending || s["3"] != strata.StatePending {
			t.Fatalf("after the refused apply: %v, want 2 and 3 pending (nothing run)", s)
		}

		// Up: another run applies what the plan listed: nothing to do.
		pu, err = m.Plan(ctx, strata.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		up(t, other)
		if r, err := m.Apply(ctx, pu); err != nil || len(r.Applied) != 0 {
			t.Fatalf("apply after another run applied the plan: %+v, %v; want nothing applied and no error", r, err)
		}

		// Down of one file that another run rolled back meanwhile: nothing
		// is done (the next one is not rolled back in its place).
		pd, err := m.PlanDown(ctx, strata.DownOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Down(ctx, strata.DownOptions{}); err != nil { // rolls back 3
			t.Fatal(err)
		}
		if _, err := m.Apply(ctx, pd); err != nil {
			t.Fatalf("down of 3 after another run rolled back 3: %v, want nothing done", err)
		}
		if s := states(t, m); s["2"] != strata.StateApplied || s["3"] != strata.StatePending {
			t.Fatalf("after the skipped down: %v, want 2 applied (not rolled back in 3's place), 3 pending", s)
		}
	})
}

// TestRehearseReadsTheHistoryUnderTheLock: a rehearsal that planned while
// another run was applying the files must not rehearse them again once it
// gets the lock (they exist now, so it would report a false failure).
func TestRehearseReadsTheHistoryUnderTheLock(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "sqlite"} { // MySQL cannot rehearse
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			ctx := context.Background()
			sqlDB := db.Open(t)
			waiting := make(chan struct{}, 1)
			rehearser := newMigrator(t, db, sqlDB, threeWithDowns(), strata.WithObserver(func(e strata.Event) {
				if e.Kind == strata.EventLockWaiting {
					select {
					case waiting <- struct{}{}:
					default:
					}
				}
			}))
			type out struct {
				res *strata.RehearseResult
				err error
			}
			done := make(chan out, 1)
			started := false
			applier := newMigrator(t, db, sqlDB, threeWithDowns(), strata.WithObserver(func(e strata.Event) {
				if e.Kind != strata.EventMigrationStart || started {
					return
				}
				// The applier holds the lock and has not committed a file:
				// the rehearsal plans all three, then waits for the lock.
				started = true
				go func() {
					res, err := rehearser.Rehearse(ctx)
					done <- out{res, err}
				}()
				select {
				case <-waiting:
				case <-time.After(20 * time.Second):
					t.Error("the rehearsal never waited for the lock")
				}
			}))
			up(t, applier)
			o := <-done
			if o.err != nil {
				t.Fatal(o.err)
			}
			if !o.res.OK() || len(o.res.Files) != 0 {
				t.Fatalf("rehearsal after another run applied every file: %+v, want OK with nothing rehearsed", o.res.Files)
			}
		})
	}
}

// TestRedoSendsASmallFileInOneRoundTrip: redo's up file runs as up runs
// it, so a small file goes to the server in one round trip where the
// dialect can pipeline (every statement is sent before the first one
// finishes), instead of one statement after the other.
func TestRedoSendsASmallFileInOneRoundTrip(t *testing.T) {
	t.Parallel()
	for kind, sleep := range map[string]string{"postgres": "SELECT pg_sleep(0.4);", "mysql": "DO SLEEP(0.4);"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			var sent []time.Time // statement starts of the up file after the down
			down := false
			m := newMigrator(t, db, db.Open(t), files(
				"0001_p.sql", "CREATE TABLE p (id int);",
				"0001_p.down.sql", "DROP TABLE p;",
				"0002_fill.sql", "INSERT INTO p VALUES (1);\n"+sleep+"\nINSERT INTO p VALUES (2);",
				"0002_fill.down.sql", "DELETE FROM p;",
			), strata.WithObserver(func(e strata.Event) {
				if e.Kind == strata.EventMigrationDone && e.File == "0002_fill.down.sql" {
					down = true
				}
				if down && e.Kind == strata.EventStatementStart && e.File == "0002_fill.sql" {
					sent = append(sent, time.Now())
				}
			}))
			up(t, m)
			if _, err := m.Redo(context.Background()); err != nil {
				t.Fatal(err)
			}
			if len(sent) != 3 {
				t.Fatalf("saw %d statements of the up file after the down, want 3", len(sent))
			}
			if gap := sent[2].Sub(sent[0]); gap > 200*time.Millisecond {
				t.Errorf("statement 3 was sent %s after statement 1, after the 400ms sleep: the file was not sent in one round trip", gap)
			}
		})
	}
}
