package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// The tests in this file attack the migration lock the way production
// does (docs/safety.md): a lock connection cut by the server, a run killed
// while its statement runs on, a run stopped past its lease, and runs in
// the two lock modes at once.

// mysqlLockName is the GET_LOCK name strata uses for the default history
// table of database db (dialect/mysql).
func mysqlLockName(db string) string {
	sum := sha256.Sum256([]byte(db + "\x00strata_schema_history"))
	return "strata:" + hex.EncodeToString(sum[:16])
}

// eventually polls cond every 100ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// statementsOn counts the statements running on the server in database
// name, other than the asking one.
func statementsOn(t *testing.T, db *sql.DB, kind, name string) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND = 'Query' AND ID <> CONNECTION_ID()"
	if kind == "postgres" {
		q = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()"
	}
	var n int
	if err := db.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A MySQL run whose lock connection is cut (KILL CONNECTION, as a server's
// wait_timeout or a proxy's idle timeout would) stops at once, has the
// server stop its statement, names the lost lock, sends nothing more and
// leaves a history row the next run treats as interrupted. Before, the run
// went on without the lock while another run could take it.
func TestLostMySQLLockStopsTheRun(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	f := newFolder(t)
	f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\nCREATE TABLE late AS SELECT SLEEP(6) AS s;\nCREATE TABLE after_it (x int);\n")
	p := startBG(t, f, db.URL, "0001_slow.sql:2:", "up", "--verbose")
	conn := db.Open(t)
	var id int64
	if err := conn.QueryRow("SELECT IS_USED_LOCK(?)", mysqlLockName(db.Name)).Scan(&id); err != nil {
		t.Fatalf("find the lock connection: %v", err)
	}
	if _, err := conn.Exec(fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	r := p.wait()
	if r.code == 0 {
		t.Fatalf("the run went on after its lock connection was killed:\n%s", r)
	}
	want(t, r, r.code, fmt.Sprintf("the migration lock (GET_LOCK %s on connection %d) was lost", mysqlLockName(db.Name), id))
	noPanic(t, r)
	if d := time.Since(killed); d > 4*time.Second {
		t.Errorf("the run took %s to notice its lost lock", d)
	}
	eventually(t, 10*time.Second, "the end of every statement", func() bool { return statementsOn(t, conn, "mysql", db.Name) == 0 })
	if tableExists(conn, "late") || tableExists(conn, "after_it") {
		t.Error("statements ran after the lock was lost")
	}
	st := f.status(db.URL)
	if m := st.Migrations[0]; m.StatementsApplied != 1 || m.State != "interrupted" {
		t.Errorf("status after the lost lock: %+v; want interrupted after 1 statement", m)
	}
}

// A MySQL run killed (SIGKILL) while its statement runs: the lock
// connection closes at once, but the statement runs on and commits. Until
// it ends, status calls the file running and names the connection, and
// up --resume refuses, naming it and how to stop it; afterwards the file
// is interrupted and status warns that the next statement may have run.
func TestKilledMySQLRunStatementStillExecuting(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	f := newFolder(t)
	f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\nCREATE TABLE late AS SELECT SLEEP(4) AS s;\nCREATE TABLE after_it (x int);\n")
	p := startBG(t, f, db.URL, "0001_slow.sql:2:", "up", "--verbose")
	time.Sleep(300 * time.Millisecond) // let the statement reach the server
	p.signal(syscall.SIGKILL)
	p.wait()
	r := f.run(db.URL, "status", "--json")
	want(t, r, 0, `"state": "running"`, `"executing": "connection `)
	want(t, f.run(db.URL, "status"), 0, "running (1/3 statements) (statement still executing on connection ")
	r = f.run(db.URL, "up", "--resume")
	if r.code == 0 || !strings.Contains(r.stderr, "is still executing on connection ") || !strings.Contains(r.stderr, "KILL ") {
		t.Fatalf("up --resume while the dead run's statement executes:\n%s", r)
	}
	conn := db.Open(t)
	eventually(t, 15*time.Second, "the end of the orphaned statement", func() bool { return f.status(db.URL).state("1") != "running" })
	if !tableExists(conn, "late") {
		t.Fatal("the orphaned statement should have completed on the server")
	}
	st := f.status(db.URL)
	if m := st.Migrations[0]; m.State != "interrupted" || m.StatementsApplied != 1 {
		t.Errorf("after the orphaned statement: %+v", m)
	}
	want(t, f.run(db.URL, "status"), 0, "statement 2 (line 2) may have completed on the server after the run died")
}

// On PostgreSQL a statement outside a transaction is sent with the update
// that records it, in one implicit transaction: a run killed during it
// leaves a backend that finishes the statement and records it too, so
// --resume continues after it instead of running it again.
func TestKilledPostgresRunRecordsItsOrphanedStatement(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	f := newFolder(t)
	f.write("0001_slow.sql", "-- strata:no-transaction\nCREATE TABLE first_one (x int);\nCREATE TABLE late AS SELECT 1 AS s FROM pg_sleep(3);\nCREATE TABLE after_it (x int);\n")
	p := startBG(t, f, db.URL, "0001_slow.sql:3:", "up", "--verbose")
	time.Sleep(300 * time.Millisecond)
	p.signal(syscall.SIGKILL)
	p.wait()
	if s := f.status(db.URL).state("1"); s != "running" {
		t.Errorf("status while the dead run's backend still executes: %s, want running", s)
	}
	eventually(t, 15*time.Second, "the end of the orphaned statement", func() bool { return f.status(db.URL).state("1") != "running" })
	st := f.status(db.URL)
	if m := st.Migrations[0]; m.State != "interrupted" || m.StatementsApplied != 2 {
		t.Fatalf("after the orphaned statement committed: %+v; want interrupted with 2 statements recorded", m)
	}
	want(t, f.run(db.URL, "up", "--resume"), 0)
	conn := db.Open(t)
	for _, table := range []string{"first_one", "late", "after_it"} {
		if !tableExists(conn, table) {
			t.Errorf("table %s missing", table)
		}
	}
	if s := f.status(db.URL).state("1"); s != "applied" {
		t.Errorf("state after --resume: %s", s)
	}
}
