package strata_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// TestImport records another tool's applied files: rows of kind baseline
// with the tool's applied_at and an import audit entry; a second import
// changes nothing; a row with another checksum stops it.
func TestImport(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		m := newMigrator(t, db, db.Open(t), files("0001_a.sql", "CREATE TABLE a (id int);", "0002_b.sql", "CREATE TABLE b (id int);", "0003_c.sql", "CREATE TABLE c (id int);"))
		plan := strata.ImportPlan{Tool: "goose", Entries: []strata.ImportEntry{
			{Version: version(t, "1"), AppliedAt: at, Detail: "goose_db_version id 2 (version_id 1)"},
			{Version: version(t, "2"), Detail: "goose_db_version id 3 (version_id 2)"},
		}}
		qs, err := m.ImportSQL(plan)
		if err != nil || len(qs) != 2 || !strings.HasPrefix(qs[0].SQL, "INSERT INTO") {
			t.Fatalf("ImportSQL: %v %v", qs, err)
		}
		res, err := m.Import(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Recorded, []string{"1", "2"}) || len(res.Skipped) != 0 {
			t.Fatalf("recorded %v skipped %v", res.Recorded, res.Skipped)
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ms := range st.Migrations {
			wantState := strata.StateApplied
			if ms.ID == "3" {
				wantState = strata.StatePending
			}
			if ms.State != wantState {
				t.Errorf("%s is %s, want %s", ms.ID, ms.State, wantState)
			}
			if ms.ID == "1" && (ms.Record == nil || ms.Record.Kind != "baseline" || !ms.Record.StartedAt.Equal(at)) {
				t.Errorf("row of 1: %+v, want kind baseline applied at %s", ms.Record, at)
			}
		}
		h, err := m.History(ctx, "1")
		if err != nil || len(h.Audit) != 1 || h.Audit[0].Action != "import" || !strings.Contains(h.Audit[0].Detail, "goose_db_version id 2") {
			t.Fatalf("audit of 1: %+v %v", h, err)
		}
		res, err = m.Import(ctx, plan)
		if err != nil || len(res.Recorded) != 0 || !slices.Equal(res.Skipped, []string{"1", "2"}) {
			t.Fatalf("second import: %+v %v", res, err)
		}
		// A folder whose file 2 differs from what was recorded.
		m2 := newMigrator(t, db, db.Open(t), files("0001_a.sql", "CREATE TABLE a (id int);", "0002_b.sql", "CREATE TABLE b2 (id int);"))
		_, err = m2.Import(ctx, plan)
		var ce *strata.ImportConflictError
		if !errors.As(err, &ce) || ce.ID != "2" {
			t.Fatalf("got %v, want an *ImportConflictError for 2", err)
		}
	})
}
