package strata_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// TestPlanPhases: the library's phase planning. A pre-deploy plan leaves
// post-deploy files (named in Skipped, Behind once a later pre-deploy
// file passes one); a post-deploy plan refuses with a *PhaseOrderError
// while an earlier pre-deploy file is pending; the history records the
// phase; no phase plans everything in order.
func TestPlanPhases(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		fsys := files(
			"0001_a.sql", "CREATE TABLE phase_a (id int, old int);\n",
			"post-deploy/0002_drop_old.sql", "ALTER TABLE phase_a DROP COLUMN old;\n",
			"0003_b.sql", "CREATE TABLE phase_b (id int);\n",
			"0004_c.sql", "-- strata:phase post-deploy\nCREATE TABLE phase_c (id int);\n",
		)
		m := newMigrator(t, db, sqlDB, fsys)
		ids := func(steps []strata.Step) []string {
			var out []string
			for _, s := range steps {
				out = append(out, s.Migration.ID())
			}
			return out
		}

		all, err := m.Plan(ctx, strata.PlanOptions{})
		if err != nil || !slices.Equal(ids(all.Steps), []string{"1", "2", "3", "4"}) || len(all.Skipped) != 0 {
			t.Fatalf("plan without a phase: %v %v", ids(all.Steps), err)
		}

		// Post-deploy first: 0002 would run before the pending 0001 and 0003.
		_, err = m.Plan(ctx, strata.PlanOptions{Phase: source.PostDeploy})
		var poe *strata.PhaseOrderError
		if !errors.As(err, &poe) || poe.File != "post-deploy/0002_drop_old.sql" || len(poe.Pending) != 2 || poe.Pending[0].ID != "1" {
			t.Fatalf("post-deploy plan before the pre-deploy phase: %v (%+v)", err, poe)
		}

		res, err := m.Up(ctx, strata.PlanOptions{Phase: source.PreDeploy})
		if err != nil || len(res.Applied) != 2 {
			t.Fatalf("pre-deploy up: %+v, %v", res, err)
		}
		p, err := m.Plan(ctx, strata.PlanOptions{Phase: source.PreDeploy})
		if err != nil || len(p.Steps) != 0 || len(p.Skipped) != 2 || !p.Skipped[0].Behind || p.Skipped[1].Behind {
			t.Fatalf("pre-deploy plan after the pre-deploy phase: %+v, %v", p, err)
		}

		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ms := range st.Migrations {
			wantPhase, wantState := source.PreDeploy, strata.StateApplied
			if ms.ID == "2" || ms.ID == "4" {
				wantPhase, wantState = source.PostDeploy, strata.StatePending // waiting, not out of order
			}
			if ms.Phase != wantPhase || ms.State != wantState {
				t.Errorf("%s: %s %s, want %s %s", ms.ID, ms.Phase, ms.State, wantPhase, wantState)
			}
		}

		if res, err = m.Up(ctx, strata.PlanOptions{Phase: source.PostDeploy}); err != nil || len(res.Applied) != 2 {
			t.Fatalf("post-deploy up: %+v, %v", res, err)
		}
		if n := count(t, sqlDB, "SELECT COUNT(*) FROM strata_schema_history WHERE phase = 'post-deploy'"); n != 2 {
			t.Fatalf("%d history rows record post-deploy, want 2", n)
		}
	})
}
