package strata_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/testdb"
)

func TestBaseline(t *testing.T) {
	t.Parallel()
	fsys := func() map[string]string {
		return map[string]string{
			"0001_a.sql": "CREATE TABLE a (id int);",
			"0002_b.sql": "CREATE TABLE b (id int);",
			"0003_c.sql": "CREATE TABLE c (id int);",
		}
	}
	cases := []struct {
		name     string
		before   func(t *testing.T, m *strata.Migrator) // history before the baseline
		opts     strata.BaselineOptions
		recorded []string
		skipped  []string
		check    func(t *testing.T, err error)
	}{
		{
			name:     "fresh database",
			opts:     strata.BaselineOptions{Reason: "schema built by the old tool"},
			recorded: []string{"1", "2"},
		},
		{
			name: "refused when history has rows",
			before: func(t *testing.T, m *strata.Migrator) {
				if _, err := m.Up(context.Background(), strata.PlanOptions{To: version(t, "1")}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, err error) {
				var be *strata.BaselineRefusedError
				if !errors.As(err, &be) || be.Rows != 1 || !strings.Contains(err.Error(), "BaselineOptions.Force") {
					t.Errorf("got %v, want a refusal naming BaselineOptions.Force", err)
				}
			},
		},
		{
			name: "force records only versions without rows",
			before: func(t *testing.T, m *strata.Migrator) {
				if _, err := m.Up(context.Background(), strata.PlanOptions{To: version(t, "1")}); err != nil {
					t.Fatal(err)
				}
			},
			opts:     strata.BaselineOptions{Force: true},
			recorded: []string{"2"},
			skipped:  []string{"1"},
		},
	}
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				sqlDB := testdb.New(t, kindOf(db)).Open(t)
				kv := fsys()
				m := newMigrator(t, db, sqlDB, files("0001_a.sql", kv["0001_a.sql"], "0002_b.sql", kv["0002_b.sql"], "0003_c.sql", kv["0003_c.sql"]))
				if tc.before != nil {
					tc.before(t, m)
				} else if _, err := sqlDB.Exec("CREATE TABLE a (id int)"); err != nil { // built by hand
					t.Fatal(err)
				}
				if _, err := sqlDB.Exec("CREATE TABLE b (id int)"); err != nil {
					t.Fatal(err)
				}
				opts := tc.opts
				opts.Version = version(t, "0002")
				res, err := m.Baseline(ctx, opts)
				if tc.check != nil {
					tc.check(t, err)
					if n := count(t, sqlDB, "SELECT COUNT(*) FROM strata_schema_history WHERE kind = 'baseline'"); n != 0 {
						t.Errorf("a refused baseline recorded %d rows", n)
					}
					return
				}
				if err != nil {
					t.Fatalf("baseline: %v", err)
				}
				if !slices.Equal(res.Recorded, tc.recorded) || !slices.Equal(res.Skipped, tc.skipped) {
					t.Errorf("recorded %v skipped %v, want %v and %v", res.Recorded, res.Skipped, tc.recorded, tc.skipped)
				}
				for _, id := range tc.recorded {
					h, err := m.History(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					r := h.Status.Record
					if r == nil || r.Kind != string(history.KindBaseline) || r.Status != string(history.Applied) || r.StatementsApplied != 0 ||
						r.StatementsTotal != 0 || r.Checksum != h.Status.Migration.Checksum || h.Status.State != strata.StateApplied || h.Status.Kind != "baseline" {
						t.Errorf("row of %s = %+v (state %s)", id, r, h.Status.State)
					}
					if len(h.Audit) != 1 || h.Audit[0].Action != string(history.ActionBaseline) || h.Audit[0].Reason != opts.Reason ||
						h.Audit[0].OldState != "pending" || h.Audit[0].NewState != "applied" || h.Audit[0].NewChecksum != r.Checksum || h.Audit[0].By == "" {
						t.Errorf("audit of %s = %+v", id, h.Audit)
					}
				}
				for _, id := range tc.skipped {
					if h, _ := m.History(ctx, id); h.Status.Record.Kind != string(history.KindVersioned) || len(h.Audit) != 0 {
						t.Errorf("skipped %s was changed: %+v %+v", id, h.Status.Record, h.Audit)
					}
				}
				// up applies only the later file.
				up := up(t, m)
				if len(up.Applied) != 1 || up.Applied[0].Migration.ID() != "3" || up.Current.String() != "3" {
					t.Errorf("up after baseline applied %+v, want only 3", up.Applied)
				}
			})
		}
	})
}

func TestBaselineUnknownVersion(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	m := newMigrator(t, db, db.Open(t), files("0001_a.sql", "SELECT 1;", "0005_e.sql", "SELECT 1;", "0009_i.sql", "SELECT 1;"))
	_, err := m.Baseline(context.Background(), strata.BaselineOptions{Version: version(t, "6")})
	var ue *strata.UnknownVersionError
	if !errors.As(err, &ue) || !slices.Equal(ue.Nearest, []string{"5", "9", "1"}) || !strings.Contains(err.Error(), "nearest: 5, 9, 1") {
		t.Fatalf("got %v, want an unknown version error listing 5, 9, 1", err)
	}
	if _, err := m.Baseline(context.Background(), strata.BaselineOptions{}); err == nil {
		t.Error("baseline without a version succeeded")
	}
}
