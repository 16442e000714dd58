package strata_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// TestMySQLTimeSettings: a library user's MySQL connection may be opened
// with or without parseTime and with any loc. An app that migrates at start
// up runs Up on every deploy, so the history strata wrote must read back,
// at the right instant, whatever the settings: without parseTime the
// second Up used to fail scanning started_at.
func TestMySQLTimeSettings(t *testing.T) {
	t.Parallel()
	kolkata, err := time.LoadLocation("Asia/Kolkata") // +05:30: any shift shows
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	cases := []struct {
		name  string
		parse bool
		loc   *time.Location
		multi bool
	}{
		{"no parseTime", false, time.UTC, true},
		{"no parseTime, no multiStatements", false, time.UTC, false},
		{"no parseTime, loc Kolkata", false, kolkata, true},
		{"parseTime loc Local", true, time.Local, true},
		{"parseTime loc Kolkata", true, kolkata, true},
		{"parseTime loc Kolkata, no multiStatements", true, kolkata, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := testdb.New(t, "mysql")
			cfg, err := mysql.ParseDSN(db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			cfg.ParseTime, cfg.Loc, cfg.MultiStatements = c.parse, c.loc, c.multi
			sqlDB, err := sql.Open("mysql", cfg.FormatDSN())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sqlDB.Close() })
			fsys := files(
				"0001_table.sql", "CREATE TABLE tz (id int);\n", // DDL: statement by statement
				"0002_rows.sql", "INSERT INTO tz VALUES (1);\n", // DML: one round trip with multiStatements
				"0002_rows.down.sql", "DELETE FROM tz;\n",
			)
			before := time.Now().Add(-2 * time.Second)
			m := newMigrator(t, db, sqlDB, fsys)
			if res := up(t, m); len(res.Applied) != 2 {
				t.Fatalf("first up applied %d files, want 2", len(res.Applied))
			}
			// The second deploy: nothing to do, but the history must read.
			if res := up(t, m); len(res.Applied) != 0 {
				t.Fatalf("second up applied %d files, want 0", len(res.Applied))
			}
			if _, err := m.Down(ctx, strata.DownOptions{Steps: 1, Reason: "tz test"}); err != nil {
				t.Fatalf("down: %v", err)
			}
			if res := up(t, m); len(res.Applied) != 1 {
				t.Fatalf("third up applied %d files, want 1", len(res.Applied))
			}
			after := time.Now().Add(2 * time.Second)
			inRun := func(what string, at time.Time) {
				t.Helper()
				if at.Before(before) || at.After(after) {
					t.Errorf("%s = %v, want between %v and %v (shifted by a time zone?)", what, at, before, after)
				}
			}
			st, err := m.Status(ctx)
			if err != nil {
				t.Fatalf("status: %v", err)
			}
			if st.Pending != 0 || len(st.Migrations) != 2 {
				t.Fatalf("status: %d pending, %d migrations", st.Pending, len(st.Migrations))
			}
			for _, ms := range st.Migrations {
				if ms.State != strata.StateApplied {
					t.Errorf("%s is %s", ms.ID, ms.State)
				}
				inRun(ms.ID+" applied at", ms.AppliedAt)
				inRun(ms.ID+" started_at", ms.Record.StartedAt)
				if ms.Record.FinishedAt.IsZero() || ms.Record.FinishedAt.Before(ms.Record.StartedAt) {
					t.Errorf("%s: finished_at %v before started_at %v", ms.ID, ms.Record.FinishedAt, ms.Record.StartedAt)
				}
			}
			h, err := m.History(ctx, "2")
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			if len(h.Audit) != 1 || h.Audit[0].Reason != "tz test" {
				t.Fatalf("audit = %+v, want the down", h.Audit)
			}
			inRun("audit performed_at", h.Audit[0].At)
		})
	}
}
