package main

import (
	"bytes"
	"database/sql"
	"strings"
	"sync"
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
