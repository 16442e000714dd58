package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Polling helpers: tests wait for what they need to see (a statement
// running on the server, a line in a process's output) instead of
// sleeping a fixed time, so they are as fast as the machine allows and do
// not fail when it is slow.

// pollTimeout bounds the waits here (eventually, in fencing_test.go);
// reaching it fails the test.
const pollTimeout = 30 * time.Second

// runningStatements counts the statements containing needle that are
// running on the server in database dbName (driver "pgx" or "mysql"),
// leaving out conn's own query.
func runningStatements(t *testing.T, conn *sql.DB, driver, dbName, needle string) int {
	t.Helper()
	var q string
	switch driver {
	case "pgx":
		q = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $2) > 0"
	case "mysql":
		q = "SELECT count(*) FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID() AND command = 'Query' AND LOCATE(?, info) > 0"
	default:
		t.Fatalf("runningStatements: %s has no server to ask", driver)
	}
	var n int
	if err := conn.QueryRow(q, dbName, needle).Scan(&n); err != nil {
		t.Fatalf("runningStatements: %v", err)
	}
	return n
}

// waitRunning waits until a statement containing needle runs on the
// server in database dbName.
func waitRunning(t *testing.T, conn *sql.DB, driver, dbName, needle string) {
	t.Helper()
	eventually(t, pollTimeout, "a statement containing "+needle+" to run in "+dbName, func() bool {
		return runningStatements(t, conn, driver, dbName, needle) > 0
	})
}

// waitNotRunning waits until no statement containing needle runs on the
// server in database dbName.
func waitNotRunning(t *testing.T, conn *sql.DB, driver, dbName, needle string) {
	t.Helper()
	eventually(t, pollTimeout, "the statement containing "+needle+" in "+dbName+" to end", func() bool {
		return runningStatements(t, conn, driver, dbName, needle) == 0
	})
}

// syncBuffer is a bytes.Buffer a child process may write to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitOutput waits until out holds s.
func waitOutput(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	eventually(t, pollTimeout, "output "+s, func() bool { return strings.Contains(out.String(), s) })
}

// blocker is a lock on the server that the test holds and a migration
// file waits on: the file's statement (SQL) runs until the test calls
// release, however slow the machine is, instead of sleeping a fixed time
// that a loaded machine may outlast or a quiet one waste. A statement
// the test stops instead (a signal, a kill) should be hang: MariaDB ends
// a killed GET_LOCK with NULL, not an error, so the statement succeeds.
type blocker struct {
	t      *testing.T
	conn   *sql.Conn
	driver string
	key    string // the advisory lock's second key (PostgreSQL) or the GET_LOCK name (MySQL)
	held   bool
}

// hang is a statement that runs until it is stopped (strata interrupted,
// the connection killed): the test never waits for it to end by itself.
func hang(driver string) string {
	if driver == "mysql" {
		return "SELECT SLEEP(3600)"
	}
	return "SELECT pg_sleep(3600)"
}

// blockerKeys numbers the blockers of one test binary, so no two tests
// share a MySQL lock name (GET_LOCK names are server-wide).
var blockerKeys atomic.Int64

// holdBlocker takes a new blocker on a connection of its own from db
// (driver "pgx" or "mysql"); t's cleanup releases it.
func holdBlocker(t *testing.T, db *sql.DB, driver string) *blocker {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := blockerKeys.Add(1)
	b := &blocker{t: t, conn: conn, driver: driver}
	switch driver {
	case "pgx":
		// The two-key form never meets strata's own one-key lock.
		b.key = fmt.Sprint(n)
	case "mysql":
		b.key = fmt.Sprintf("strata_test_blocker_%d_%d", os.Getpid(), n)
	default:
		t.Fatalf("holdBlocker: %s has no server lock", driver)
	}
	t.Cleanup(func() {
		b.release()
		conn.Close()
	})
	b.hold()
	return b
}

// hold takes the lock (again).
func (b *blocker) hold() {
	b.t.Helper()
	var err error
	switch b.driver {
	case "pgx":
		_, err = b.conn.ExecContext(context.Background(), "SELECT pg_advisory_lock(7317, $1)", b.key)
	case "mysql":
		var got sql.NullInt64
		err = b.conn.QueryRowContext(context.Background(), "SELECT GET_LOCK(?, 30)", b.key).Scan(&got)
		if err == nil && got.Int64 != 1 {
			err = fmt.Errorf("GET_LOCK(%s) returned %v", b.key, got)
		}
	}
	if err != nil {
		b.t.Fatalf("holding the blocker: %v", err)
	}
	b.held = true
}

// release lets the statements waiting on the lock go on.
func (b *blocker) release() {
	if !b.held {
		return
	}
	b.held = false
	var err error
	switch b.driver {
	case "pgx":
		_, err = b.conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(7317, $1)", b.key)
	case "mysql":
		_, err = b.conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", b.key)
	}
	if err != nil {
		b.t.Errorf("releasing the blocker: %v", err)
	}
}

// rowLock is a MySQL row lock held in an open transaction on a
// connection of the test's own. A statement waiting on it outlives its
// client: MariaDB ends a SLEEP, a GET_LOCK or a metadata-lock wait within
// about 5 s of its client's death, but not an InnoDB row-lock wait. A test
// about a dead run's orphaned statement holds one, so the orphan runs
// until the test lets it end, however slow the machine.
type rowLock struct {
	t    *testing.T
	conn *sql.Conn
	tx   *sql.Tx
}

// holdRowLock creates table strata_row_blocker in db's database and
// locks its only row until release (or t's cleanup).
func holdRowLock(t *testing.T, db *sql.DB) *rowLock {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE strata_row_blocker (x int PRIMARY KEY) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO strata_row_blocker VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var x int
	if err := tx.QueryRowContext(ctx, "SELECT x FROM strata_row_blocker FOR UPDATE").Scan(&x); err != nil {
		t.Fatal(err)
	}
	l := &rowLock{t: t, conn: conn, tx: tx}
	t.Cleanup(func() {
		l.release()
		conn.Close()
	})
	return l
}

// Select is an expression list's source that waits for the row lock:
// "CREATE TABLE late AS SELECT x AS s " + l.Select().
func (l *rowLock) Select() string { return "FROM strata_row_blocker FOR UPDATE" }

// release commits the lock's transaction, letting the waiting statement
// go on.
func (l *rowLock) release() {
	if l.tx == nil {
		return
	}
	if err := l.tx.Commit(); err != nil {
		l.t.Errorf("releasing the row lock: %v", err)
	}
	l.tx = nil
}

// SQL is a statement that waits until the blocker is released, then
// lets it go at once (so the test can take it again). Its text is also
// the needle for waitRunning and wait.
func (b *blocker) SQL() string { return "SELECT " + b.Call() }

// Call is the expression of SQL, for a statement of a test's own that
// waits on the blocker: on PostgreSQL a function returning void (use it
// in FROM), on MySQL an integer.
func (b *blocker) Call() string {
	if b.driver == "pgx" {
		// A transaction-level lock ends with the statement's transaction.
		return fmt.Sprintf("pg_advisory_xact_lock(7317, %s)", b.key)
	}
	return fmt.Sprintf("GET_LOCK('%s', 600) + RELEASE_LOCK('%[1]s')", b.key)
}

// wait waits until a statement of database dbName is waiting on the
// blocker (polling pg_stat_activity or the process list).
func (b *blocker) wait(conn *sql.DB, dbName string) {
	b.t.Helper()
	waitRunning(b.t, conn, b.driver, dbName, b.SQL())
}
