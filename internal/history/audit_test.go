package history_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/testdb"
)

func dialectOf(db testdb.DB) dialect.Dialect {
	switch db.DriverName {
	case "pgx":
		return postgres.New()
	case "mysql":
		return mysql.New()
	}
	return sqlite.New()
}

func TestAuditTrail(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		d := dialectOf(db)
		s := history.New(d, dialect.Table{Name: "hist"})

		// No tables yet: reading the audit is empty, not an error.
		if got, err := s.Audit(ctx, sqlDB, "1"); err != nil || got != nil {
			t.Fatalf("audit before ensure = %v, %v; want nil, nil", got, err)
		}
		if err := s.Ensure(ctx, sqlDB, "test"); err != nil {
			t.Fatal(err)
		}
		for _, tb := range []dialect.Table{{Name: "hist"}, {Name: "hist_audit"}} {
			if ok, err := d.TableExists(ctx, sqlDB, tb); err != nil || !ok {
				t.Fatalf("table %s exists = %v, %v", tb, ok, err)
			}
		}

		base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		entries := []history.AuditEntry{
			{MigrationID: "1", Action: history.ActionResolveApplied, OldState: "partial", NewState: "applied",
				OldChecksum: "aaa", NewChecksum: "bbb", Reason: "fixed by hand", By: "alice", At: base, Detail: "1 of 2", StrataVersion: "test"},
			{MigrationID: "2", Action: history.ActionBaseline, OldState: "pending", NewState: "applied", By: "bob", At: base, StrataVersion: "test"},
			{MigrationID: "1", Action: history.ActionDown, OldState: "applied", NewState: "pending", By: "carol", At: base.Add(time.Second), StrataVersion: "test"},
		}
		for _, e := range entries {
			if err := s.AddAudit(ctx, sqlDB, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Audit(ctx, sqlDB, "1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("got %d entries for 1, want 2: %+v", len(got), got)
		}
		first := got[0]
		if first.Action != history.ActionResolveApplied || first.OldState != "partial" || first.NewState != "applied" ||
			first.OldChecksum != "aaa" || first.NewChecksum != "bbb" || first.Reason != "fixed by hand" ||
			first.By != "alice" || first.Detail != "1 of 2" || !first.At.Equal(base) || first.Seq == 0 {
			t.Errorf("first entry = %+v", first)
		}
		if got[1].Action != history.ActionDown || got[1].By != "carol" || got[1].Seq <= first.Seq {
			t.Errorf("second entry = %+v", got[1])
		}

		// A history table made before the audit table: Ensure adds it.
		if _, err := sqlDB.ExecContext(ctx, "DROP TABLE "+d.QuoteTable(dialect.Table{Name: "hist_audit"})); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Audit(ctx, sqlDB, "1"); err != nil || got != nil {
			t.Fatalf("audit without the table = %v, %v; want nil, nil", got, err)
		}
		if err := s.Ensure(ctx, sqlDB, "test"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := d.TableExists(ctx, sqlDB, s.AuditTable()); !ok {
			t.Fatal("Ensure did not recreate the audit table")
		}
	})
}

func TestRowUpdates(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		s := history.New(dialectOf(db), dialect.Table{Name: "hist"})
		if err := s.Ensure(ctx, sqlDB, "test"); err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(-time.Minute).Truncate(time.Second)
		rec := history.Record{ID: "7", Version: "7", Name: "x", Kind: history.KindVersioned, File: "7_x.sql", Checksum: "old",
			Status: history.Partial, StatementsApplied: 1, StatementsTotal: 3, StartedAt: start, AppliedBy: "me",
			Error: "7_x.sql:2: boom", StrataVersion: "test"}
		if err := s.Insert(ctx, sqlDB, rec); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Get(ctx, sqlDB, "8"); err != nil || r != nil {
			t.Fatalf("Get(8) = %v, %v; want nil", r, err)
		}
		if err := s.MarkApplied(ctx, sqlDB, "7", "7_x.sql", "new"); err != nil {
			t.Fatal(err)
		}
		r := get(t, s, sqlDB, "7")
		if r.Status != history.Applied || r.Checksum != "new" || r.Error != "" || !r.FinishedAt.Valid || r.StatementsApplied != 1 {
			t.Errorf("after MarkApplied: %+v", r)
		}
		if err := s.SetChecksum(ctx, sqlDB, "7", "newer"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetChecksum(ctx, sqlDB, "7", "newer"); err != nil {
			t.Fatalf("setting the same checksum again: %v", err)
		}
		if r := get(t, s, sqlDB, "7"); r.Checksum != "newer" {
			t.Errorf("checksum = %q, want newer", r.Checksum)
		}
		rec.Status, rec.Error, rec.StatementChecksums = history.Running, "rolling back", "abc,"
		if err := s.Update(ctx, sqlDB, rec); err != nil {
			t.Fatal(err)
		}
		r = get(t, s, sqlDB, "7")
		if r.Status != history.Running || r.Error != "rolling back" || r.Checksum != "old" || r.StatementChecksums != "abc," || r.FinishedAt.Valid {
			t.Errorf("after Update: %+v", r)
		}
	})
}

func get(t *testing.T, s *history.Store, db *sql.DB, id string) *history.Record {
	t.Helper()
	r, err := s.Get(context.Background(), db, id)
	if err != nil || r == nil {
		t.Fatalf("Get(%s) = %v, %v", id, r, err)
	}
	return r
}
