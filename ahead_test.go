package strata_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// releases are two releases of one application's migrations: the new one
// has two files more than the old one.
func releases() (newer, older fstest.MapFS) {
	newer = files(
		"0010_users.sql", "CREATE TABLE ahead_users (id int);\n",
		"0010_users.down.sql", "DROP TABLE ahead_users;\n",
		"0020_posts.sql", "CREATE TABLE ahead_posts (id int);\n",
		"0020_posts.down.sql", "DROP TABLE ahead_posts;\n",
		"0030_tags.sql", "CREATE TABLE ahead_tags (id int);\n",
		"0030_tags.down.sql", "DROP TABLE ahead_tags;\n",
		"0040_likes.sql", "CREATE TABLE ahead_likes (id int);\n",
		"0040_likes.down.sql", "DROP TABLE ahead_likes;\n",
	)
	older = fstest.MapFS{}
	for name, f := range newer {
		if strings.HasPrefix(name, "0010") || strings.HasPrefix(name, "0020") {
			older[name] = f
		}
	}
	return newer, older
}

func versions(vs []source.Version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

// TestAhead: a database a newer release migrated is ahead of an older
// release's folder: its newer rows are ahead, up has nothing to do and
// says so, down refuses them, and WithFailIfAhead makes it a refusal.
func TestAhead(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		newer, older := releases()
		up(t, newMigrator(t, db, sqlDB, newer))

		old := newMigrator(t, db, sqlDB, older)
		st, err := old.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := versions(st.Ahead); !slices.Equal(got, []string{"30", "40"}) {
			t.Fatalf("Ahead = %v, want [30 40]", got)
		}
		states := map[string]strata.State{}
		for _, ms := range st.Migrations {
			states[ms.ID] = ms.State
		}
		if states["10"] != strata.StateApplied || states["20"] != strata.StateApplied ||
			states["30"] != strata.StateAhead || states["40"] != strata.StateAhead {
			t.Fatalf("states = %v", states)
		}
		if p := st.Problems(false); len(p) != 0 || st.Pending != 0 {
			t.Fatalf("problems %+v, pending %d", p, st.Pending)
		}
		if d := st.AheadDetail(); d != "the database is ahead of this folder: 2 applied migrations newer than 20 (30, 40)" {
			t.Errorf("AheadDetail = %q", d)
		}

		res, err := old.Up(ctx, strata.PlanOptions{})
		if err != nil {
			t.Fatalf("up of the older release: %v", err)
		}
		if len(res.Applied) != 0 || res.Current.String() != "40" || !slices.Equal(versions(res.Ahead), []string{"30", "40"}) {
			t.Fatalf("result %+v", res)
		}

		// Down cannot undo a migration whose files the folder lacks.
		for _, opts := range []strata.DownOptions{{}, {To: source.Version{}}, {Steps: 2}} {
			_, err = old.Down(ctx, opts)
			var de *strata.RefusedError
			if !errors.As(err, &de) || de.Problems[0].Kind != strata.ProblemAhead ||
				!strings.Contains(err.Error(), "40's file is not in this folder") || !strings.Contains(err.Error(), "from the release that has") {
				t.Fatalf("down %+v: %v", opts, err)
			}
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM strata_schema_history WHERE status = 'applied' AND kind = 'versioned'"); n != 4 {
			t.Fatalf("%d applied rows after refused downs, want 4", n)
		}

		strict := newMigrator(t, db, sqlDB, older, strata.WithFailIfAhead(true))
		_, err = strict.Up(ctx, strata.PlanOptions{})
		var drift *strata.RefusedError
		if !errors.As(err, &drift) || !drift.Has(strata.ProblemAhead) || !strings.Contains(err.Error(), "newer than 20 (30, 40)") {
			t.Fatalf("up with WithFailIfAhead: %v", err)
		}
	})
}

// TestAheadIsNotAProblemElsewhere: rows above the folder's newest file
// that did not apply fully, files missing below it, and pending files
// below an applied version are refused as before.
func TestAheadIsNotAProblemElsewhere(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		newer, older := releases()
		newer["0050_broken.sql"] = &fstest.MapFile{Data: []byte("-- strata:no-transaction\nSELECT * FROM ahead_no_such_table;\n")}
		if _, err := newMigrator(t, db, sqlDB, newer).Up(ctx, strata.PlanOptions{}); err == nil {
			t.Fatal("0050_broken.sql applied")
		}
		old := newMigrator(t, db, sqlDB, older)
		st, err := old.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(versions(st.Ahead), []string{"30", "40"}) {
			t.Fatalf("Ahead = %v, want [30 40] (50 failed)", versions(st.Ahead))
		}
		_, err = old.Up(ctx, strata.PlanOptions{})
		var drift *strata.RefusedError
		if !errors.As(err, &drift) || !drift.Has(strata.ProblemMissing) || drift.Problems[0].Version != "50" {
			t.Fatalf("up with a failed row above the folder: %v", err)
		}
		if _, err := old.Resolve(ctx, strata.ResolveOptions{Version: "50", Action: strata.ResolveRolledBack, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		up(t, old)

		// A pending file below an applied version is out of order.
		late := fstest.MapFS{"0025_late.sql": &fstest.MapFile{Data: []byte("CREATE TABLE ahead_late (id int);\n")}}
		for k, v := range older {
			late[k] = v
		}
		_, err = newMigrator(t, db, sqlDB, late).Up(ctx, strata.PlanOptions{})
		if !errors.As(err, &drift) || !drift.Has(strata.ProblemOutOfOrder) {
			t.Fatalf("up with a pending file below the applied ones: %v", err)
		}

		// An applied file missing below the folder's newest is missing.
		gone := fstest.MapFS{}
		for k, v := range older {
			if !strings.HasPrefix(k, "0010") {
				gone[k] = v
			}
		}
		_, err = newMigrator(t, db, sqlDB, gone).Up(ctx, strata.PlanOptions{})
		if !errors.As(err, &drift) || !drift.Has(strata.ProblemMissing) || drift.Has(strata.ProblemAhead) || drift.Problems[0].Version != "10" {
			t.Fatalf("up with 0010 removed: %v", err)
		}
	})
}
