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
		applied int // statements recorded once the orphan ended
	}{
		{"mysql", 1},
		{"postgres", 2},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, tc.kind)
			f := newFolder(t)
			f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\n")
			conn := db.Open(t)
			// The down file's second statement waits on a lock the test
			// holds. On MySQL a row lock: MariaDB ends a GET_LOCK (or SLEEP)
			// within 5 s of its client's death, and the orphan must outlive
			// its client.
			var release func()
			if tc.kind == "mysql" {
				rows := holdRowLock(t, conn)
				release = rows.release
				f.write("0001_slow.down.sql", "DROP TABLE first_one;\nCREATE TABLE late AS SELECT x AS s "+rows.Select()+";\nCREATE TABLE after_it (x int);\n")
			} else {
				block := holdBlocker(t, conn, db.DriverName)
				release = block.release
				f.write("0001_slow.down.sql", "-- strata:no-transaction\nDROP TABLE first_one;\nCREATE TABLE late AS SELECT 1 AS s FROM "+block.Call()+";\nCREATE TABLE after_it (x int);\n")
			}
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
			release()
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
