package main

import (
	"syscall"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// On MySQL the driver drops the connection when strata is interrupted,
// and the server would go on to finish the running statement after strata
// recorded it as not done. strata has the server stop it (KILL QUERY), so
// the table the interrupted statement was creating never appears.
func TestInterruptStopsTheStatementOnMySQL(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	f := newFolder(t)
	f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\nCREATE TABLE late AS SELECT SLEEP(3) AS s;\n")
	conn := db.Open(t)
	p := startBG(t, f, db.URL, "0001_slow.sql:2:", "up", "--verbose")
	waitRunning(t, conn, db.DriverName, db.Name, "SLEEP(3)")
	p.signal(syscall.SIGINT)
	r := p.wait()
	want(t, r, 130, "error: interrupted")
	// Had strata not stopped it, the statement would still run here and
	// go on to create its table: wait for the server to be done with it.
	waitNotRunning(t, conn, db.DriverName, db.Name, "SLEEP(3)")
	if !tableExists(conn, "first_one") {
		t.Error("statement 1 completed before the interrupt; its table should exist")
	}
	if tableExists(conn, "late") {
		t.Error("the interrupted CREATE TABLE ... SELECT SLEEP(3) finished on the server after strata stopped")
	}
	st := f.status(db.URL)
	if m := st.Migrations[0]; m.StatementsApplied != 1 || (m.State != "partial" && m.State != "interrupted") {
		t.Errorf("status after the interrupt: %+v; want 1 statement applied, partial", m)
	}
}
