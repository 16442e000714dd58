package strata_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// TestSchemaDriftGate: every run that changes the schema records a
// snapshot with the version it left; Up refuses a schema changed by hand
// with a *SchemaDriftError naming the change, before anything runs;
// WithAllowDrift goes ahead; AcceptDrift records the live schema with an
// audit entry.
func TestSchemaDriftGate(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := files("0001_a.sql", "CREATE TABLE a (id int PRIMARY KEY, name varchar(50));",
			"0002_b.sql", "CREATE TABLE b (id int PRIMARY KEY);", "0002_b.down.sql", "DROP TABLE b;")
		m := newMigrator(t, db, sqlDB, fsys)
		rep, err := m.Drift(ctx)
		if err != nil || rep.Recorded != nil {
			t.Fatalf("Drift before any run = %+v, %v; want no snapshot", rep, err)
		}
		up(t, m)
		snap := func(version, reason string) {
			t.Helper()
			rep, err := m.Drift(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Recorded == nil || rep.Recorded.Version != version || rep.Recorded.Reason != reason || rep.Stale || len(rep.Changes) != 0 {
				t.Fatalf("Drift = %+v (recorded %+v), want a snapshot at %s by %s and no changes", rep, rep.Recorded, version, reason)
			}
			if rep.Recorded.Hash != rep.LiveHash {
				t.Fatalf("recorded hash %s, live %s", rep.Recorded.Hash, rep.LiveHash)
			}
		}
		snap("2", "up")
		if _, err := m.Down(ctx, strata.DownOptions{Steps: 1, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		snap("1", "down")
		up(t, m)
		snap("2", "up")

		if _, err := sqlDB.Exec("CREATE INDEX a_name_idx ON a (name)"); err != nil {
			t.Fatal(err)
		}
		fsys["0003_c.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE c (id int PRIMARY KEY);")}
		m = newMigrator(t, db, sqlDB, fsys)
		_, err = m.Up(ctx, strata.PlanOptions{})
		var sd *strata.SchemaDriftError
		if !errors.As(err, &sd) {
			t.Fatalf("Up on a drifted schema = %v, want a *SchemaDriftError", err)
		}
		if sd.Version != "2" || len(sd.Changes) != 1 || sd.Changes[0].Op != schema.Added || sd.Changes[0].Kind != schema.KindIndex ||
			!strings.Contains(sd.Changes[0].Name, "a_name_idx") || !strings.Contains(err.Error(), "a_name_idx") {
			t.Fatalf("SchemaDriftError = %+v (%v), want the index added", sd, err)
		}
		if st, _ := m.Status(ctx); st.Pending != 1 {
			t.Fatalf("after the refusal %d files are pending, want 1 (nothing ran)", st.Pending)
		}

		// AcceptDrift needs a reason, then records the live schema.
		if _, err := m.AcceptDrift(ctx, " "); !errors.Is(err, strata.ErrReasonRequired) {
			t.Fatalf("AcceptDrift without a reason = %v", err)
		}
		acc, err := m.AcceptDrift(ctx, "the index stays")
		if err != nil {
			t.Fatal(err)
		}
		if len(acc.Changes) != 1 || acc.Previous == nil || acc.Audit.Action != history.ActionAcceptDrift || acc.Audit.OldChecksum != acc.Previous.Hash || acc.Audit.NewChecksum != acc.Recorded.Hash {
			t.Fatalf("AcceptDrift = %+v", acc)
		}
		snap("2", "accept drift: the index stays")
		up(t, m)
		snap("3", "up")

		// WithAllowDrift applies on a drifted schema, and the run
		// records the schema it leaves.
		if _, err := sqlDB.Exec("DROP INDEX a_name_idx" + map[bool]string{true: " ON a"}[strings.HasPrefix(db.URL, "mysql")]); err != nil {
			t.Fatal(err)
		}
		fsys["0004_d.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE d (id int PRIMARY KEY);")}
		if _, err := newMigrator(t, db, sqlDB, fsys).Up(ctx, strata.PlanOptions{}); !errors.As(err, &sd) || sd.Changes[0].Op != schema.Removed {
			t.Fatalf("Up = %v, want the removed index as drift", err)
		}
		m = newMigrator(t, db, sqlDB, fsys, strata.WithAllowDrift(true))
		if res := up(t, m); len(res.Applied) != 1 {
			t.Fatalf("Up with drift allowed applied %d files", len(res.Applied))
		}
		snap("4", "up")
	})
}

// TestDataOnlyRunCarriesTheSnapshot: a run of files that only change rows
// records the last snapshot again at the version it reached, without
// reading the catalogs or checking for drift; a hand change made before
// it is still found by the next run that changes the schema.
func TestDataOnlyRunCarriesTheSnapshot(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := files("0001_a.sql", "CREATE TABLE a (id int PRIMARY KEY, name varchar(50));")
		m := newMigrator(t, db, sqlDB, fsys)
		up(t, m)
		if _, err := sqlDB.Exec("CREATE INDEX a_name_idx ON a (name)"); err != nil {
			t.Fatal(err)
		}
		fsys["0002_seed.sql"] = &fstest.MapFile{Data: []byte("-- seed rows; a licence header; with; semicolons\nINSERT INTO a VALUES (1, 'x');\nUPDATE a SET name = 'y' WHERE id = 1;\n")}
		m = newMigrator(t, db, sqlDB, fsys)
		up(t, m)
		rep, err := m.Drift(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Recorded == nil || rep.Recorded.Version != "2" || !strings.Contains(rep.Recorded.Reason, "data only") {
			t.Fatalf("after the data-only run: recorded %+v, want the snapshot carried to version 2", rep.Recorded)
		}
		if len(rep.Changes) != 1 || rep.Changes[0].Kind != schema.KindIndex {
			t.Fatalf("the hand-made index must still be drift against the carried snapshot: %+v", rep.Changes)
		}
		fsys["0003_c.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE c (id int PRIMARY KEY);")}
		m = newMigrator(t, db, sqlDB, fsys)
		_, err = m.Up(ctx, strata.PlanOptions{})
		var drift *strata.SchemaDriftError
		if !errors.As(err, &drift) {
			t.Fatalf("Up with a schema-changing file after drift = %v, want *SchemaDriftError", err)
		}
	})
}

// TestSnapshotFailureKeepsTheRun: when the snapshot after a run cannot be
// recorded, the run that applied its files still succeeds, and an
// EventSnapshotFailed says why.
func TestSnapshotFailureKeepsTheRun(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	sqlDB := db.Open(t)
	// A view where the snapshot table belongs: every insert into it fails.
	if _, err := sqlDB.Exec("CREATE VIEW strata_schema_history_schema AS SELECT 1 AS seq, '' AS version, '' AS hash, x'' AS snapshot, '' AS taken_at, '' AS taken_by, '' AS reason, '' AS strata_version WHERE 0"); err != nil {
		t.Fatal(err)
	}
	var failed []error
	m := newMigrator(t, db, sqlDB, files("0001_a.sql", "CREATE TABLE a (id int);"),
		strata.WithObserver(func(e strata.Event) {
			if e.Kind == strata.EventSnapshotFailed {
				failed = append(failed, e.Err)
			}
		}))
	res, err := m.Up(context.Background(), strata.PlanOptions{})
	if err != nil || len(res.Applied) != 1 {
		t.Fatalf("Up = %+v, %v; want the file applied despite the snapshot", res, err)
	}
	if len(failed) != 1 || failed[0] == nil {
		t.Fatalf("snapshot failures reported: %v, want one", failed)
	}
}
