package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// Down files outside a transaction run through the same executor as up
// files, so they get the same protection against a statement orphaned by
// a killed run (TestKilledMySQLRunStatementStillExecuting,
// TestKilledPostgresRunRecordsItsOrphanedStatement): on MySQL the work
// connection is tagged, so status sees the dead run's statement still
// executing; on PostgreSQL the statement is sent with the update that
// records it, so the orphaned statement's completion is recorded too.
func TestKilledDownRunOrphanedStatement(t *testing.T) {
	for _, tc := range []struct {
		kind, down, running string
		applied             int // statements recorded once the orphan ended
	}{
		{"mysql", "DROP TABLE first_one;\nCREATE TABLE late AS SELECT SLEEP(4) AS s;\nCREATE TABLE after_it (x int);\n",
			"SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'CREATE TABLE late%'", 1},
		{"postgres", "-- strata:no-transaction\nDROP TABLE first_one;\nCREATE TABLE late AS SELECT 1 AS s FROM pg_sleep(3);\nCREATE TABLE after_it (x int);\n",
			"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE TABLE late%'", 2},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, tc.kind)
			f := newFolder(t)
			f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\n")
			f.write("0001_slow.down.sql", tc.down)
			want(t, f.run(db.URL, "up"), 0, "applied migrations/0001_slow.sql")
			conn := db.Open(t)
			p := startBG(t, f, db.URL, "0001_slow.down.sql:", "down", "--verbose")
			eventually(t, 10*time.Second, "the slow statement on the server", func() bool {
				var n int
				return conn.QueryRow(tc.running).Scan(&n) == nil && n > 0
			})
			p.signal(syscall.SIGKILL)
			p.wait()
			if tc.kind == "mysql" {
				want(t, f.run(db.URL, "status", "--json"), 0, `"state": "running"`, `"executing": "connection `)
			}
			eventually(t, 15*time.Second, "the end of the orphaned statement", func() bool { return f.status(db.URL).state("1") != "running" })
			if !tableExists(conn, "late") {
				t.Fatal("the orphaned statement should have completed on the server")
			}
			if m := f.status(db.URL).Migrations[0]; m.State != "interrupted" || m.StatementsApplied != tc.applied {
				t.Errorf("after the orphaned statement: %+v; want interrupted with %d statements of the down file recorded", m, tc.applied)
			}
		})
	}
}
