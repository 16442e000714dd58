package history_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/testdb"
)

// TestPhaseColumnUpgrade: a history table an earlier release made, without
// the phase column, is read as it is (rows without a phase), gets the
// column from Ensure, idempotently, and then records the phase.
func TestPhaseColumnUpgrade(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		d := dialectOf(db)
		tb := dialect.Table{Name: "hist"}
		s := history.New(d, tb)
		// The table as the previous release created it: HistoryDDL
		// has no phase column; Ensure adds it.
		for _, stmt := range d.HistoryDDL(tb) {
			if _, err := sqlDB.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		if _, err := sqlDB.ExecContext(ctx, "INSERT INTO "+d.QuoteTable(tb)+
			" (id, version, name, kind, file, checksum, status, statements_applied, statements_total, started_at, execution_ms, applied_by, strata_version)"+
			" VALUES ('1', '1', 'old', 'versioned', '0001_old.sql', 'x', 'applied', 1, 1, "+d.Placeholder(1)+", 0, 'me', 'old')", now); err != nil {
			t.Fatal(err)
		}
		recs, err := s.All(ctx, sqlDB)
		if err != nil || len(recs) != 1 || recs[0].Phase != "" {
			t.Fatalf("All before the upgrade = %+v, %v; want the old row without a phase", recs, err)
		}
		for range 2 {
			if err := s.Ensure(ctx, sqlDB, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Insert(ctx, sqlDB, history.Record{ID: "2", Version: "2", Name: "new", Kind: history.KindVersioned,
			File: "post-deploy/0002_new.sql", Checksum: "y", Status: history.Applied, StartedAt: now,
			FinishedAt: sql.NullTime{Time: now, Valid: true}, AppliedBy: "me", StrataVersion: "test", Phase: "post-deploy"}); err != nil {
			t.Fatal(err)
		}
		recs, err = s.All(ctx, sqlDB)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range recs {
			got[r.ID] = r.Phase
		}
		if len(got) != 2 || got["1"] != "" || got["2"] != "post-deploy" {
			t.Fatalf("phases after the upgrade = %v, want 1: \"\", 2: post-deploy", got)
		}
	})
}
