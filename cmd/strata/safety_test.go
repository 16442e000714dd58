package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// The tests in this file prove that strata is safe when many runs start at
// once, when a run dies or loses its connection, and when a signal stops
// it: each migration is applied exactly once, the history says what
// happened, and the next run (or the recovery command it prints) finishes
// the job.

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bg is a strata process running in the background.
type bg struct {
	t              *testing.T
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	seen, done     chan struct{}
	code           int
}

// startBG starts strata with args and --url and --dir for f. When until is
// not empty it waits (up to 30 s) until a line of stdout contains it.
func startBG(t *testing.T, f *folder, url, until string, args ...string) *bg {
	t.Helper()
	b := &bg{t: t, seen: make(chan struct{}), done: make(chan struct{})}
	b.cmd = exec.Command(bin, append(args, "--url", url, "--dir", f.dir)...)
	b.cmd.Dir, b.cmd.Env = f.wd, cleanEnv()
	b.cmd.Stderr = &b.stderr
	out, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		var once sync.Once
		for sc.Scan() {
			fmt.Fprintln(&b.stdout, sc.Text())
			if until != "" && strings.Contains(sc.Text(), until) {
				once.Do(func() { close(b.seen) })
			}
		}
		err := b.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			b.code = ee.ExitCode()
			if ee.ExitCode() < 0 {
				b.code = 128 + int(ee.Sys().(syscall.WaitStatus).Signal())
			}
		}
		close(b.done)
	}()
	if until == "" {
		return b
	}
	select {
	case <-b.seen:
	case <-b.done:
		t.Fatalf("strata %v ended before printing %q:\n%s", args, until, b.result())
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		t.Fatalf("strata %v did not print %q within 30s", args, until)
	}
	return b
}

// wait waits (up to 60 s, so a deadlock fails instead of hanging) for the
// process to end and returns what it printed and its exit code.
func (b *bg) wait() result {
	b.t.Helper()
	select {
	case <-b.done:
	case <-time.After(60 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
		b.t.Fatalf("strata did not end within 60s (deadlock?):\n%s", b.result())
	}
	return b.result()
}

func (b *bg) result() result {
	return result{stdout: b.stdout.String(), stderr: b.stderr.String(), code: b.code}
}

// signal sends sig to the process.
func (b *bg) signal(sig syscall.Signal) {
	b.t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		b.t.Fatal(err)
	}
}

// noPanic fails when a run printed a Go panic or a stack trace.
func noPanic(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{"panic", "goroutine ", "runtime."} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Fatalf("output contains %q:\n%s", s, r)
		}
	}
}

// historyRows counts the history rows of each migration.
func historyRows(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query("SELECT id, COUNT(*) FROM strata_schema_history WHERE id <> '~layout' GROUP BY id")
	if err != nil {
		t.Fatalf("read history: %v", err)
	}
	defer rows.Close()
	n := map[string]int{}
	for rows.Next() {
		var id string
		var c int
		if err := rows.Scan(&id, &c); err != nil {
			t.Fatal(err)
		}
		n[id] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// scalar runs a query that returns one integer.
func scalar(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// tableExists reports whether a query on table succeeds.
func tableExists(db *sql.DB, table string) bool {
	_, err := db.Exec("SELECT 1 FROM " + table + " WHERE 1 = 0")
	return err == nil
}

func TestConcurrentUp(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		for _, mode := range []string{"session", "lease"} {
			t.Run(kind+"/"+mode, func(t *testing.T) {
				t.Parallel()
				db := testdb.New(t, kind)
				f := newFolder(t)
				files := []string{"0001_create_items.sql", "0002_more_items.sql", "0003_other.sql"}
				f.write(files[0], "CREATE TABLE items (n int NOT NULL);\nINSERT INTO items (n) VALUES (1);\n")
				f.write(files[1], "INSERT INTO items (n) VALUES (2);\nINSERT INTO items (n) VALUES (3);\n")
				// A slow file: runs started later find it running (on MySQL
				// outside a transaction) and must wait, not refuse.
				sleep := map[string]string{"postgres": "SELECT pg_sleep(0.5);\n", "mysql": "SELECT SLEEP(0.5);\n"}[kind]
				f.write(files[2], "CREATE TABLE other (x int);\n"+sleep+"INSERT INTO items (n) VALUES (4);\n")

				const runs = 8
				procs := make([]*bg, runs)
				for i := range procs {
					procs[i] = startBG(t, f, db.URL, "", "up", "--lock-mode", mode, "--lease-ttl", "5s", "--lock-timeout", "50s")
					if i >= runs/2 {
						time.Sleep(100 * time.Millisecond) // the second half starts while files run
					}
				}
				applied := map[string]int{}
				for _, p := range procs {
					r := p.wait()
					want(t, r, 0)
					noPanic(t, r)
					for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
						target := strings.Contains(line, "database target=") // every command names its database
						if line != "" && !target && !strings.HasPrefix(line, "waiting for the migration lock, held by ") {
							t.Errorf("unexpected stderr line %q:\n%s", line, r)
						}
					}
					for _, name := range files {
						if strings.Contains(r.stdout, "applied migrations/"+name+" (") {
							applied[name]++
						}
					}
				}
				for _, name := range files {
					if applied[name] != 1 {
						t.Errorf("%s was applied by %d of %d runs, want exactly 1", name, applied[name], runs)
					}
				}
				conn := db.Open(t)
				if n := historyRows(t, conn); len(n) != 3 || n["1"] != 1 || n["2"] != 1 || n["3"] != 1 {
					t.Errorf("history rows per migration = %v, want one each for 1, 2 and 3", n)
				}
				if n, d := scalar(t, conn, "SELECT COUNT(*) FROM items"), scalar(t, conn, "SELECT COUNT(DISTINCT n) FROM items"); n != 4 || d != 4 {
					t.Errorf("items has %d rows (%d distinct), want 4: a file ran more than once", n, d)
				}
				if st := f.status(db.URL); st.CurrentVersion != "3" || st.Pending != 0 {
					t.Errorf("status after the runs: %+v", st)
				}
			})
		}
	}
}

// TestConcurrentIndexPostgres applies CREATE INDEX CONCURRENTLY (which
// waits for every other transaction in the database) while a second run
// waits for the lock: the session advisory lock is held outside any
// transaction, so neither waits on the other.
func TestConcurrentIndexPostgres(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	f := newFolder(t)
	f.write("0001_big.sql", "CREATE TABLE big (x int);\nINSERT INTO big SELECT g FROM generate_series(1, 200000) g;\n")
	conn := db.Open(t)
	block := holdBlocker(t, conn, db.DriverName)
	f.write("0002_index.sql", "-- strata:no-transaction\n"+block.SQL()+";\nCREATE INDEX CONCURRENTLY big_x ON big (x);\n")

	first := startBG(t, f, db.URL, "0002_index.sql:2:", "up", "--verbose")
	second := startBG(t, f, db.URL, "", "up", "--lock-timeout", "50s")
	// The second run waits for the lock while the first is in 0002.
	eventually(t, pollTimeout, "the second run waiting for the lock", func() bool {
		return strings.Contains(second.stderr.String(), "waiting for the migration lock")
	})
	block.release()
	r1, r2 := first.wait(), second.wait()
	want(t, r1, 0, "applied migrations/0002_index.sql")
	want(t, r2, 0)
	if n := scalar(t, conn, "SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_x' AND i.indisvalid"); n != 1 {
		t.Errorf("valid index big_x: %d, want 1", n)
	}
	if n := historyRows(t, conn); n["1"] != 1 || n["2"] != 1 {
		t.Errorf("history rows = %v", n)
	}
}

// killFile is, per database, a file whose second statement runs for a few
// seconds, and whether it runs in a transaction.
func killFile(kind string) (content string, tx bool) {
	switch kind {
	case "postgres":
		return "CREATE TABLE k (x int);\nSELECT pg_sleep(3);\nINSERT INTO k VALUES (1);\n", true
	case "mysql":
		// DDL: MySQL runs it statement by statement, recording progress.
		return "CREATE TABLE ka (x int);\nSELECT SLEEP(3);\nCREATE TABLE kb (x int);\n", false
	}
	// A few seconds of work for SQLite, inside the file's transaction.
	return "CREATE TABLE k (x int);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000000) SELECT count(*) FROM c;\nINSERT INTO k VALUES (1);\n", true
}

// waitKillStatement waits until the second statement of killFile runs on
// the server. SQLite has no server to ask; the "0001_k.sql:2:" line
// startBG waited for is printed as the statement starts.
func waitKillStatement(t *testing.T, conn *sql.DB, db testdb.DB) {
	t.Helper()
	switch db.DriverName {
	case "pgx":
		waitRunning(t, conn, db.DriverName, db.Name, "pg_sleep(3)")
	case "mysql":
		waitRunning(t, conn, db.DriverName, db.Name, "SLEEP(3)")
	}
}

// TestSIGKILLMidFile kills strata with SIGKILL while a statement runs.
// Where the file runs in a transaction (PostgreSQL, SQLite) the transaction
// dies with the process: no history row, and the next up applies the file.
// On MySQL the file runs statement by statement: status shows it
// interrupted after the last completed statement, up refuses and prints
// the recovery commands, and up --resume completes it.
func TestSIGKILLMidFile(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			content, tx := killFile(kind)
			f.write("0001_k.sql", content)
			conn := db.Open(t)
			p := startBG(t, f, db.URL, "0001_k.sql:2:", "up", "--verbose")
			waitKillStatement(t, conn, db)
			p.signal(syscall.SIGKILL)
			if r := p.wait(); r.code != 128+int(syscall.SIGKILL) {
				t.Fatalf("killed run: %s", r)
			}
			if tx {
				checkRolledBack(t, f, db, conn)
				if kind == "sqlite" { // pending, so it may change: make the re-run quick
					f.write("0001_k.sql", "CREATE TABLE k (x int);\nINSERT INTO k VALUES (1);\n")
				}
				r := f.run(db.URL, "up", "--lock-timeout", "10s")
				want(t, r, 0)
				// PostgreSQL gets a small file in one round trip, so the
				// server may finish it after strata died: the file and its
				// history row commit together while its backend still
				// holds the lock, and this run waits, then finds it applied.
				if !strings.Contains(r.stdout, "applied migrations/0001_k.sql") && (kind != "postgres" || !strings.Contains(r.stdout, "nothing to do")) {
					t.Fatalf("the next up neither applied the file nor found it applied:\n%s", r)
				}
				if n := scalar(t, conn, "SELECT COUNT(*) FROM k"); n != 1 {
					t.Errorf("k has %d rows after the re-run, want 1", n)
				}
			} else {
				// The killed run's statement runs on until it ends; until
				// then the file is running (fencing_test.go).
				eventually(t, 15*time.Second, "the end of the killed run's statement", func() bool { return f.status(db.URL).state("1") != "running" })
				checkInterrupted(t, f, db)
				want(t, f.run(db.URL, "up", "--resume", "--lock-timeout", "10s"), 0, "applied migrations/0001_k.sql")
				if !tableExists(conn, "ka") || !tableExists(conn, "kb") {
					t.Error("after up --resume, tables ka and kb should both exist")
				}
			}
			if n := historyRows(t, conn); n["1"] != 1 {
				t.Errorf("history rows = %v", n)
			}
			if st := f.status(db.URL); st.state("1") != "applied" {
				t.Errorf("state = %q, want applied", st.state("1"))
			}
		})
	}
}

// checkRolledBack asserts that 0001_k.sql left nothing: no history row,
// no table.
func checkRolledBack(t *testing.T, f *folder, db testdb.DB, conn *sql.DB) {
	t.Helper()
	if st := f.status(db.URL); st.state("1") != "pending" {
		t.Fatalf("state of the file whose transaction died = %q, want pending", st.state("1"))
	}
	if n := historyRows(t, conn); n["1"] != 0 {
		t.Fatalf("history rows = %v, want none for 1", n)
	}
	if tableExists(conn, "k") {
		t.Fatal("table k exists: the transaction was not rolled back")
	}
}

// checkInterrupted asserts that the MySQL file 0001_k.sql stopped after its
// first statement, and that up refuses with the recovery commands.
func checkInterrupted(t *testing.T, f *folder, db testdb.DB) {
	t.Helper()
	st := f.status(db.URL)
	if len(st.Migrations) != 1 {
		t.Fatalf("status: %+v", st)
	}
	m := st.Migrations[0]
	if (m.State != "interrupted" && m.State != "partial") || m.StatementsApplied != 1 || m.StatementsTotal != 3 || m.LastLine != 1 || m.NextLine != 2 {
		t.Fatalf("status of the stopped file: %+v; want interrupted (or partial) after statement 1 of 3 (line 1), next line 2", m)
	}
	want(t, f.run(db.URL, "up"), 3, "1 of 3 statements", "strata up --resume", "strata resolve 1 --applied", "strata resolve 1 --rolled-back")
}

// TestSignalsDuringRun stops a run with SIGINT and SIGTERM: exit 130 and
// 143, the running file rolled back (PostgreSQL, SQLite) or its progress
// recorded (MySQL), and the lock free at once for the next run.
func TestSignalsDuringRun(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(kind+"/"+sig.String(), func(t *testing.T) {
				t.Parallel()
				db := testdb.New(t, kind)
				f := newFolder(t)
				content, tx := killFile(kind)
				f.write("0001_k.sql", content)
				p := startBG(t, f, db.URL, "0001_k.sql:2:", "up", "--verbose")
				waitKillStatement(t, db.Open(t), db)
				start := time.Now()
				p.signal(sig)
				r := p.wait()
				code := map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143}[sig]
				want(t, r, code, "error: interrupted")
				noPanic(t, r)
				if d := time.Since(start); d > 10*time.Second {
					t.Errorf("strata took %s to stop after %v", d, sig)
				}
				// The lock is free at once: a second run takes it within 1s.
				holdLock(t, db, "session", time.Second)()
				conn := db.Open(t)
				if tx {
					checkRolledBack(t, f, db, conn)
					f.write("0001_k.sql", "CREATE TABLE k (x int);\nINSERT INTO k VALUES (1);\n")
					want(t, f.run(db.URL, "up", "--lock-timeout", "1s"), 0, "applied migrations/0001_k.sql")
					return
				}
				checkInterrupted(t, f, db)
				want(t, f.run(db.URL, "up", "--resume", "--lock-timeout", "1s"), 0, "applied migrations/0001_k.sql")
			})
		}
	}
}

// cutFile is a file whose second statement the test cuts off from the
// server side, and the query that finds and kills that statement's
// connection.
func cutFile(kind string) (content, kill string) {
	if kind == "postgres" {
		return "CREATE TABLE c (x int);\nSELECT pg_sleep(20);\nINSERT INTO c VALUES (1);\n",
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()"
	}
	return "CREATE TABLE ca (x int);\nSELECT SLEEP(20);\nCREATE TABLE cb (x int);\n",
		"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE '%SLEEP(20)%' AND ID <> CONNECTION_ID()"
}

// TestConnectionCut has the server end strata's connection in the middle
// of a file (pg_terminate_backend, MySQL KILL). strata exits non-zero with
// an error naming the file, without a panic, a hang or the password; the
// history is consistent; and the next run completes the file.
func TestConnectionCut(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			url := db.URL
			if kind == "postgres" { // trust auth ignores the password; strata must not print it
				url = strings.Replace(url, "postgres@", "postgres:"+secret+"@", 1)
			}
			f := newFolder(t)
			content, kill := cutFile(kind)
			f.write("0001_cut.sql", content)
			p := startBG(t, f, url, "0001_cut.sql:2:", "up", "--verbose")
			conn := db.Open(t)
			start := time.Now()
			cutConnection(t, conn, kind, kill)
			r := p.wait()
			if r.code == 0 {
				t.Fatalf("strata succeeded although its connection was cut:\n%s", r)
			}
			t.Logf("after the cut:\n%s", r)
			want(t, r, r.code, "error: migrations/0001_cut.sql:2: statement 2 failed")
			noPanic(t, r)
			noSecret(t, r)
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("strata took %s to give up after its connection was cut", d)
			}
			if kind == "postgres" {
				if n := historyRows(t, conn); n["1"] != 0 || tableExists(conn, "c") {
					t.Fatalf("after the cut: history %v, table c exists %v; want neither", n, tableExists(conn, "c"))
				}
				f.write("0001_cut.sql", strings.Replace(content, "pg_sleep(20)", "pg_sleep(0)", 1)) // pending: it may change
				want(t, f.run(url, "up", "--lock-timeout", "5s"), 0, "applied migrations/0001_cut.sql")
				if n := scalar(t, conn, "SELECT COUNT(*) FROM c"); n != 1 {
					t.Errorf("c has %d rows, want 1", n)
				}
				return
			}
			// The connection that ran the file is gone: strata records the
			// outcome on a fresh connection, so the row says partial.
			want(t, r, r.code, "recorded as partial: 1 of 3 statements")
			st := f.status(url)
			if m := st.Migrations[0]; m.State != "partial" || m.StatementsApplied != 1 || m.StatementsTotal != 3 || m.LastLine != 1 {
				t.Fatalf("after the cut: %+v, want partial after statement 1 of 3 (line 1)", m)
			}
			want(t, f.run(url, "up"), 3, "strata up --resume")
			// Make the re-run short: the cut statement has not completed,
			// so --resume may run a changed version of it.
			f.write("0001_cut.sql", strings.Replace(content, "SLEEP(20)", "SLEEP(0)", 1))
			want(t, f.run(url, "up", "--resume", "--lock-timeout", "5s"), 0, "applied migrations/0001_cut.sql")
			if !tableExists(conn, "ca") || !tableExists(conn, "cb") {
				t.Error("after up --resume, tables ca and cb should both exist")
			}
		})
	}
}

// cutConnection finds strata's connection running the slow statement and
// has the server end it.
func cutConnection(t *testing.T, conn *sql.DB, kind, find string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if kind == "postgres" {
			var ok sql.NullBool
			if err := conn.QueryRow(find).Scan(&ok); err == nil && ok.Bool {
				return
			}
		} else {
			var id int64
			if err := conn.QueryRow(find).Scan(&id); err == nil {
				if _, err := conn.Exec(fmt.Sprintf("KILL %d", id)); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("did not find strata's connection running the slow statement")
}
