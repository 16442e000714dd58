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
	want(t, r, 1, fmt.Sprintf("the migration lock (GET_LOCK %s on connection %d) was lost", mysqlLockName(db.Name), id))
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
	conn := db.Open(t)
	// A row lock, not SLEEP or GET_LOCK: MariaDB ends those within 5 s
	// of their client's death, and this test is about a statement that
	// goes on running after its client died, for as long as the test needs.
	rows := holdRowLock(t, conn)
	f.write("0001_slow.sql", "CREATE TABLE first_one (x int);\nCREATE TABLE late AS SELECT x AS s "+rows.Select()+";\nCREATE TABLE after_it (x int);\n")
	p := startBG(t, f, db.URL, "0001_slow.sql:2:", "up", "--verbose")
	waitRunning(t, conn, db.DriverName, db.Name, "CREATE TABLE late AS")
	p.signal(syscall.SIGKILL)
	p.wait()
	r := f.run(db.URL, "status", "--json")
	want(t, r, 0, `"state": "running"`, `"executing": "connection `)
	want(t, f.run(db.URL, "status"), 0, "running (1/3 statements) (statement still executing on connection ")
	r = f.run(db.URL, "up", "--resume")
	want(t, r, 3, "still executing on connection ", "KILL ")
	rows.release()
	eventually(t, 30*time.Second, "the end of the orphaned statement", func() bool { return f.status(db.URL).state("1") != "running" })
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
	conn := db.Open(t)
	block := holdBlocker(t, conn, db.DriverName)
	f.write("0001_slow.sql", "-- strata:no-transaction\nCREATE TABLE first_one (x int);\nCREATE TABLE late AS SELECT 1 AS s FROM "+block.Call()+";\nCREATE TABLE after_it (x int);\n")
	p := startBG(t, f, db.URL, "0001_slow.sql:3:", "up", "--verbose")
	waitRunning(t, conn, db.DriverName, db.Name, "CREATE TABLE late AS") // waiting on the blocker
	p.signal(syscall.SIGKILL)
	p.wait()
	if s := f.status(db.URL).state("1"); s != "running" {
		t.Errorf("status while the dead run's backend still executes: %s, want running", s)
	}
	block.release()
	eventually(t, 15*time.Second, "the end of the orphaned statement", func() bool { return f.status(db.URL).state("1") != "running" })
	st := f.status(db.URL)
	if m := st.Migrations[0]; m.State != "interrupted" || m.StatementsApplied != 2 {
		t.Fatalf("after the orphaned statement committed: %+v; want interrupted with 2 statements recorded", m)
	}
	want(t, f.run(db.URL, "up", "--resume"), 0)
	for _, table := range []string{"first_one", "late", "after_it"} {
		if !tableExists(conn, table) {
			t.Errorf("table %s missing", table)
		}
	}
	if s := f.status(db.URL).state("1"); s != "applied" {
		t.Errorf("state after --resume: %s", s)
	}
}

// dbNowMS reads the database server's clock in milliseconds.
var dbNowMS = map[string]string{
	"postgres": "(extract(epoch from clock_timestamp()) * 1000)::bigint",
	"mysql":    "CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000 AS SIGNED)",
}

// leaseExpired reports whether the lease row of db has expired by the
// database's clock.
func leaseExpired(t *testing.T, conn *sql.DB, kind string) bool {
	t.Helper()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM strata_schema_history_lock WHERE expires_ms < " + dbNowMS[kind]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// A lease-mode run stopped (SIGSTOP) past its lease: another run takes
// over and finishes the file; when the stopped run continues (SIGCONT) it
// sends nothing more, names the lost lease, and leaves the new holder's
// applied row alone. Before, it wrote partial over it.
func TestStaleLeaseRunCannotOverwriteHistory(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"postgres": "-- strata:no-transaction\nSELECT PG_SLEEP(2);\nCREATE TABLE b (x int);\n",
		"mysql":    "SELECT SLEEP(2);\nCREATE TABLE b (x int);\n",
	}
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_slow.sql", files[kind])
			line := strings.Count(strings.Split(files[kind], "SELECT")[0], "\n") + 1
			lease := []string{"--lock-mode", "lease", "--lease-ttl", "1s"}
			stale := startBG(t, f, db.URL, fmt.Sprintf("0001_slow.sql:%d:", line), append([]string{"up", "--verbose"}, lease...)...)
			conn := db.Open(t)
			// The verbose line may be printed before the statement is
			// sent: stop the run only once the server executes it, or the
			// stopped run would hold its work connection with nothing
			// running and no running row.
			waitRunning(t, conn, db.DriverName, db.Name, "SLEEP(2)")
			stale.signal(syscall.SIGSTOP)
			t.Cleanup(func() { _ = stale.cmd.Process.Signal(syscall.SIGCONT) })
			eventually(t, 20*time.Second, "the stopped run's lease expiring and its statement ending", func() bool {
				return leaseExpired(t, conn, kind) && statementsOn(t, conn, kind, db.Name) == 0
			})
			r := f.run(db.URL, append([]string{"up", "--resume"}, lease...)...)
			if kind == "mysql" {
				// The stopped run's work connection still exists: its
				// statement may yet run, so nobody may continue the file.
				if r.code == 0 || !strings.Contains(r.stderr, "still executing on connection ") {
					t.Fatalf("up --resume while the stopped run's connection exists:\n%s", r)
				}
			} else {
				want(t, r, 0, "applied migrations/0001_slow.sql")
			}
			stale.signal(syscall.SIGCONT)
			sr := stale.wait()
			if sr.code == 0 {
				t.Fatalf("the stale run went on:\n%s", sr)
			}
			want(t, sr, 1, "the migration lock (lease ", ") was lost: another runner took it over")
			noPanic(t, sr)
			if kind == "mysql" {
				want(t, f.run(db.URL, append([]string{"up", "--resume"}, lease...)...), 0, "applied migrations/0001_slow.sql")
			}
			if s := f.status(db.URL).state("1"); s != "applied" {
				t.Errorf("after the stale run continued, 0001 is %s, want applied", s)
			}
			if !tableExists(conn, "b") {
				t.Error("table b missing")
			}
		})
	}
}

// gate is a table the test locks so that a run blocks mid-file.
type gate struct {
	tx   *sql.Tx
	file string // a file whose second statement waits for the gate
}

func closeGate(t *testing.T, conn *sql.DB, kind string) *gate {
	t.Helper()
	if _, err := conn.Exec("CREATE TABLE gate (id int PRIMARY KEY, x int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("INSERT INTO gate VALUES (1, 0)"); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	lock := "LOCK TABLE gate IN ACCESS EXCLUSIVE MODE"
	if kind == "mysql" {
		lock = "SELECT * FROM gate WHERE id = 1 FOR UPDATE"
	}
	if _, err := tx.Exec(lock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	return &gate{tx: tx, file: "-- strata:no-transaction\n-- strata:lock-timeout 60s\nCREATE TABLE first_one (x int);\nUPDATE gate SET x = x + 1 WHERE id = 1;\n"}
}

// Runs in session mode and in lease mode exclude each other: while a run
// of one mode is mid-file, a run of the other waits (and times out) instead
// of running the file, and status in either mode calls the file running.
// On every database, a held lock of one mode keeps a run of the other out.
func TestLockModesExcludeEachOther(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		for _, mode := range []string{"session", "lease"} {
			other := map[string]string{"session": "lease", "lease": "session"}[mode]
			t.Run(kind+"/"+mode, func(t *testing.T) {
				t.Parallel()
				db := testdb.New(t, kind)
				f := newFolder(t)
				f.write("0001_create_users.sql", createUsers)
				release := holdLock(t, db, mode, 10*time.Second)
				r := f.run(db.URL, "up", "--lock-mode", other, "--lock-timeout", "2s")
				want(t, r, 5, "error: timed out after 2s waiting for the migration lock; held by ", "a --lock-mode="+mode+" run")
				if st := f.status(db.URL); st.Pending != 1 {
					t.Errorf("a %s run ran while a %s run held the lock: %+v", other, mode, st)
				}
				release()
				want(t, f.run(db.URL, "up", "--lock-mode", other, "--lock-timeout", "2s"), 0, "applied migrations/0001_create_users.sql")
				if kind == "sqlite" {
					return
				}

				conn := db.Open(t)
				g := closeGate(t, conn, kind)
				f.write("0002_gate.sql", g.file)
				// The gate table was made by hand: schema drift, allowed.
				p := startBG(t, f, db.URL, "0002_gate.sql:4:", "up", "--verbose", "--lock-mode", mode, "--allow-drift")
				r = f.run(db.URL, "up", "--lock-mode", other, "--lock-timeout", "2s")
				want(t, r, 5, "a --lock-mode="+mode+" run")
				for _, m := range []string{mode, other} {
					r := f.run(db.URL, "status", "--json", "--lock-mode", m)
					want(t, r, 0, `"state": "running"`)
				}
				if err := g.tx.Commit(); err != nil {
					t.Fatal(err)
				}
				want(t, p.wait(), 0, "applied migrations/0002_gate.sql")
				var x int
				if err := conn.QueryRow("SELECT x FROM gate WHERE id = 1").Scan(&x); err != nil || x != 1 {
					t.Errorf("the gated statement ran %d times (%v), want once", x, err)
				}
			})
		}
	}
}

// A lease is decided by the database's clock alone. A runner whose host
// clock is ten minutes behind (the hidden --test-clock-skew shifts the
// clock strata reads, as a wrong host clock would) writes a lease that
// expires a TTL from now by the database's clock, and a runner with a
// right clock waits for it instead of taking it over and running the same
// file at once. Before, the late host's lease was born expired.
func TestLeaseUsesTheDatabaseClock(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			conn := db.Open(t)
			g := closeGate(t, conn, kind)
			f.write("0001_gate.sql", g.file)
			lease := []string{"--lock-mode", "lease", "--lease-ttl", "3s"}
			late := startBG(t, f, db.URL, "0001_gate.sql:4:", append([]string{"up", "--verbose", "--test-clock-skew", "-10m"}, lease...)...)
			var left int64
			if err := conn.QueryRow("SELECT expires_ms - " + dbNowMS[kind] + " FROM strata_schema_history_lock").Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left <= 0 || left > 3000 {
				t.Errorf("the late host's lease expires in %dms by the database's clock, want within the 3s TTL", left)
			}
			r := f.run(db.URL, append([]string{"up", "--resume", "--lock-timeout", "5s"}, lease...)...)
			want(t, r, 5, "held by lease ")
			if err := g.tx.Commit(); err != nil {
				t.Fatal(err)
			}
			want(t, late.wait(), 0, "applied migrations/0001_gate.sql")
			var x int
			if err := conn.QueryRow("SELECT x FROM gate WHERE id = 1").Scan(&x); err != nil || x != 1 {
				t.Errorf("the gated statement ran %d times (%v), want once", x, err)
			}
			// The skew was in effect: the late run recorded its times ten
			// minutes back.
			if at := parseTime(t, f.status(db.URL).Migrations[0].AppliedAt); time.Since(at) < 9*time.Minute {
				t.Errorf("the late run recorded %s; the clock skew was not applied", at)
			}
		})
	}
}
