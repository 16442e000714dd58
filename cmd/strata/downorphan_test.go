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
		kind    string
		down    func(*blocker) string // the down file, whose second statement waits on the blocker
		applied int                   // statements recorded once the orphan ended
	}{
		{"mysql", func(*blocker) string {
			// SLEEP, not the blocker: MariaDB may end a GET_LOCK wait once
			// its client is gone (TestKilledMySQLRunStatementStillExecuting
			// saw it), and the orphan must outlive its client. 15 s: status
			// must find it still running after the kill on a busy machine,
			// where 5 s once was not enough.
			return "DROP TABLE first_one;\nCREATE TABLE late AS SELECT SLEEP(15) AS s;\nCREATE TABLE after_it (x int);\n"
		}, 1},
		{"postgres", func(b *blocker) string {
			return "-- strata:no-transaction\nDROP TABLE first_one;\nCREATE TABLE late AS SELECT 1 AS s FROM " + b.Call() + ";\nCREATE TABLE after_it (x int);\n"
		}, 2},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, tc.kind)
			f := newFolder(t)
			f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\n")
			conn := db.Open(t)
			block := holdBlocker(t, conn, db.DriverName)
			f.write("0001_slow.down.sql", tc.down(block))
			want(t, f.run(db.URL, "up"), 0, "applied migrations/0001_slow.sql")
			p := startBG(t, f, db.URL, "0001_slow.down.sql:", "down", "--verbose")
			waitRunning(t, conn, db.DriverName, db.Name, "CREATE TABLE late AS SELECT") // waiting on the blocker
			p.signal(syscall.SIGKILL)
			p.wait()
			// The orphaned statement still waits on the server.
			r := f.run(db.URL, "status", "--json")
			want(t, r, 0, `"state": "running"`)
			if tc.kind == "mysql" {
				want(t, r, 0, `"executing": "connection `)
			}
			block.release()
			eventually(t, 30*time.Second, "the end of the orphaned statement", func() bool { return f.status(db.URL).state("1") != "running" })
			if !tableExists(conn, "late") {
				t.Fatal("the orphaned statement should have completed on the server")
			}
			if m := f.status(db.URL).Migrations[0]; m.State != "interrupted" || m.StatementsApplied != tc.applied {
				t.Errorf("after the orphaned statement: %+v; want interrupted with %d statements of the down file recorded", m, tc.applied)
			}
		})
	}
}
