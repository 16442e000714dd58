package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestDownConnectionCut has the server end strata's connection in the
// middle of a down file that runs outside a transaction. Like an up file
// (TestConnectionCut), the outcome is recorded on a fresh connection: the
// row says partial with the down file's progress, not running.
func TestDownConnectionCut(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			_, kill := cutFile(kind)
			f.write("0001_cut.sql", "CREATE TABLE c (x int);\n")
			line := "2" // of the slow statement
			if kind == "postgres" {
				line = "3"
				f.write("0001_cut.down.sql", "-- strata:no-transaction\nDROP TABLE c;\nSELECT pg_sleep(20);\nCREATE TABLE d (x int);\n")
			} else {
				f.write("0001_cut.down.sql", "DROP TABLE c;\nSELECT SLEEP(20);\nCREATE TABLE d (x int);\n")
			}
			want(t, f.run(db.URL, "up"), 0, "applied migrations/0001_cut.sql")
			p := startBG(t, f, db.URL, "0001_cut.down.sql:", "down", "--verbose")
			conn := db.Open(t)
			start := time.Now()
			cutConnection(t, conn, kind, kill)
			r := p.wait()
			if r.code == 0 {
				t.Fatalf("strata down succeeded although its connection was cut:\n%s", r)
			}
			t.Logf("after the cut:\n%s", r)
			want(t, r, r.code, "migrations/0001_cut.down.sql:"+line+": statement 2 failed", "recorded as partial: 1 of 3 statements of the down file",
				"then strata resolve 1 --rolled-back or --applied")
			noPanic(t, r)
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("strata took %s to give up after its connection was cut", d)
			}
			st := f.status(db.URL)
			if m := st.Migrations[0]; m.State != "partial" || m.StatementsApplied != 1 || m.StatementsTotal != 3 {
				t.Fatalf("after the cut: %+v, want partial after statement 1 of 3 of the down file", m)
			}
		})
	}
}

// TestVerifyInterruptStopsTheStatementOnMySQL: verify runs files through
// the same executor as up, so Ctrl-C has the server stop the running
// statement (KILL QUERY) instead of leaving it running after strata gives
// up on it. BENCHMARK, unlike SLEEP, does not notice that the client
// went away: only KILL QUERY stops it (it runs ~15s otherwise, and verify
// would wait for it to drop its scratch database).
func TestVerifyInterruptStopsTheStatementOnMySQL(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	f := newFolder(t)
	marker := "verify_kill_" + strings.TrimPrefix(db.Name, "strata_test_")
	f.write("0001_slow.sql", "CREATE TABLE late AS SELECT BENCHMARK(30000000, SHA2('x', 256)) AS "+marker+";\n")
	p := startBG(t, f, db.URL, "scratch database", "verify")
	conn := db.Open(t)
	running := "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%" + marker + "%' AND ID <> CONNECTION_ID()"
	deadline := time.Now().Add(15 * time.Second)
	for scalar(t, conn, running) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the slow statement never started:\n%s", p.result())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.signal(syscall.SIGINT)
	interrupted := time.Now()
	r := p.wait()
	if r.code == 0 {
		t.Fatalf("verify succeeded although interrupted:\n%s", r)
	}
	noPanic(t, r)
	for scalar(t, conn, running) != 0 {
		if time.Since(interrupted) > 8*time.Second {
			t.Fatalf("%s after Ctrl-C, verify's interrupted statement still runs on the server:\n%s", time.Since(interrupted).Round(time.Second), r)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(interrupted); d > 8*time.Second {
		t.Errorf("verify took %s to stop after Ctrl-C: it waited for the statement instead of stopping it", d.Round(time.Second))
	}
}
