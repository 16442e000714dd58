package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// pgBouncer is a private PgBouncer 1.18 in transaction mode (4 server
// connections per database) in front of the shared PostgreSQL, shared by
// the pooler tests and stopped by TestMain.
var pgBouncer = testserver.NewShared(func(t testing.TB) *testserver.Server {
	return testserver.StartPgBouncer(t, testserver.PoolerOptions{})
})

// pooledDB is a fresh database reached through srv, and a direct
// connection to it for the test's own checks.
func pooledDB(t *testing.T, srv *testserver.Server) (testdb.DB, *sql.DB) {
	t.Helper()
	db := srv.Database(t)
	direct, err := sql.Open("pgx", srv.Direct(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	return db, direct
}

// TestPoolerConcurrentUp: eight strata up processes started at once
// through PgBouncer in transaction mode, with no lock flag, apply each
// file exactly once and all exit 0: strata found the pooler and took the
// lease lock.
func TestPoolerConcurrentUp(t *testing.T) {
	t.Parallel()
	srv := pgBouncer.Get(t)
	db, direct := pooledDB(t, srv)
	f := newFolder(t)
	files := []string{"0001_create_items.sql", "0002_more_items.sql", "0003_slow.sql"}
	f.write(files[0], "CREATE TABLE items (n int NOT NULL);\nINSERT INTO items (n) VALUES (1);\n")
	f.write(files[1], "INSERT INTO items (n) VALUES (2);\nINSERT INTO items (n) VALUES (3);\n")
	f.write(files[2], "CREATE TABLE other (x int);\nSELECT pg_sleep(0.5);\nINSERT INTO items (n) VALUES (4);\n")
	const runs = 8
	procs := make([]*bg, runs)
	for i := range procs {
		procs[i] = startBG(t, f, db.URL, "", "up", "--lease-ttl", "5s", "--lock-timeout", "50s")
	}
	applied := map[string]int{}
	for _, p := range procs {
		r := p.wait()
		want(t, r, 0)
		noPanic(t, r)
		if !strings.Contains(r.stderr, "connection pooler mode=transaction") || !strings.Contains(r.stderr, `lock="lease (auto)"`) {
			t.Errorf("the run did not say it found the pooler and took the lease:\n%s", r)
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
	if n, d := scalar(t, direct, "SELECT COUNT(*) FROM items"), scalar(t, direct, "SELECT COUNT(DISTINCT n) FROM items"); n != 4 || d != 4 {
		t.Errorf("items has %d rows (%d distinct), want 4: a file ran more than once", n, d)
	}
	if n := historyRows(t, direct); len(n) != 3 {
		t.Errorf("history rows = %v, want one each for 1, 2 and 3", n)
	}
}

// TestPoolerSessionLockUnsafe shows what --lock-mode=auto prevents.
// Through a PgBouncer with one server connection, every client's
// statements run on the same server session: a session advisory lock
// taken by one run is "held" by every other run too (advisory locks are
// re-entrant within a session). With --lock-mode=session a second run
// takes the lock while the first is in the middle of a file and goes on
// beside it; with the default (auto) it waits for the first, and both
// end well.
func TestPoolerSessionLockUnsafe(t *testing.T) {
	t.Parallel()
	srv := testserver.PgBouncer(t, testserver.PoolerOptions{PoolSize: 1})
	for _, mode := range []string{"auto", "session"} {
		t.Run(mode, func(t *testing.T) {
			db, direct := pooledDB(t, srv)
			f := newFolder(t)
			block := holdBlocker(t, direct, "pgx")
			// Outside a transaction (VACUUM), so the server session is
			// free between its statements, and long enough for the
			// second run to get in while it runs: each statement pauses
			// while the test holds the blocker and is quick once it is
			// released (at most 100 × 0.2 s).
			pause := "SELECT pg_sleep(0.2) WHERE NOT pg_try_advisory_xact_lock(7317, " + block.key + ");\n"
			f.write("0001_slow.sql", "CREATE TABLE IF NOT EXISTS marks (n int);\n"+strings.Repeat(pause, 100)+"VACUUM marks;\n")
			args := []string{"up", "--lock-mode", mode, "--lease-ttl", "3s", "--lock-timeout", "30s"}
			a := startBG(t, f, db.URL, "", args...)
			waitRunning(t, direct, "pgx", db.Name, "pg_sleep(0.2)")
			var b result
			firstDone := false
			if mode == "session" {
				b = f.run(db.URL, args...)
				select {
				case <-a.done:
					firstDone = true
				default:
				}
			} else {
				// The second run waits for the first, which goes on
				// until the test sees it waiting.
				p := startBG(t, f, db.URL, "", args...)
				eventually(t, pollTimeout, "the second run waiting for the lock", func() bool {
					return strings.Contains(p.stderr.String(), "waiting for the migration lock")
				})
				block.release()
				b = p.wait()
			}
			block.release()
			ra := a.wait()
			switch mode {
			case "session":
				// b took "the lock" at once, while the first run was in
				// the middle of its file (advisory locks are re-entrant
				// in the one server session both runs share), found the
				// file running and, holding "the lock", declared it
				// interrupted.
				if firstDone {
					t.Fatalf("the first run ended before the second: nothing shown\nfirst: %s\nsecond: %s", ra, b)
				}
				want(t, b, 3, "interrupted")
				if strings.Contains(b.stderr, "waiting for the migration lock") {
					t.Fatalf("the second session-mode run waited for the lock: the pooler kept sessions apart after all\n%s", b)
				}
			case "auto":
				want(t, ra, 0, "applied migrations/0001_slow.sql")
				if b.code != 0 {
					t.Fatalf("second run: %s\nfirst run: %s", b, ra)
				}
				if !strings.Contains(b.stderr, "waiting for the migration lock") && !strings.Contains(b.stdout, "nothing to do") {
					t.Fatalf("the second run neither waited nor found the file applied:\n%s", b)
				}
				if st := f.status(db.URL); st.state("1") != "applied" {
					t.Fatalf("state = %q, want applied", st.state("1"))
				}
			}
		})
	}
}

// TestPoolerKillMidFile: a run killed with SIGKILL in the middle of a
// file through the pooler leaves a lease that expires; the next run takes
// it over once it has, and the file ends up applied exactly once.
func TestPoolerKillMidFile(t *testing.T) {
	t.Parallel()
	srv := pgBouncer.Get(t)
	db, direct := pooledDB(t, srv)
	f := newFolder(t)
	f.write("0001_k.sql", "CREATE TABLE k (x int);\nSELECT pg_sleep(3);\nINSERT INTO k VALUES (1);\n")
	p := startBG(t, f, db.URL, "", "up", "--lease-ttl", "5s")
	waitRunning(t, direct, "pgx", db.Name, "pg_sleep(3)")
	p.signal(syscall.SIGKILL)
	if r := p.wait(); r.code != 128+int(syscall.SIGKILL) {
		t.Fatalf("killed run: %s", r)
	}
	// The file went in one round trip (BEGIN to COMMIT), so the server
	// may finish it after strata died; either way its lease expires and
	// the next run takes it over, then applies the file or finds it
	// applied, exactly once.
	r := f.run(db.URL, "up", "--lease-ttl", "5s", "--lock-timeout", "30s")
	want(t, r, 0)
	if !strings.Contains(r.stdout, "applied migrations/0001_k.sql") && !strings.Contains(r.stdout, "nothing to do") {
		t.Fatalf("the next up neither applied the file nor found it applied:\n%s", r)
	}
	if n := scalar(t, direct, "SELECT COUNT(*) FROM k"); n != 1 {
		t.Errorf("k has %d rows, want 1", n)
	}
	if n := historyRows(t, direct); n["1"] != 1 {
		t.Errorf("history rows = %v", n)
	}
}

// pooledConns begins a transaction on n client connections of the pooled
// database at once, so each holds its own server session, and returns
// what query gives on each.
func pooledConns(t *testing.T, url string, n int, query string) []string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []string
	var txs []*sql.Tx
	for range n {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
		var v string
		if err := tx.QueryRowContext(ctx, query).Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	for _, tx := range txs {
		_ = tx.Rollback()
	}
	return out
}

// TestPoolerSessionState: through the pooler, a file's SET does not reach
// the next file nor stay on any server session of the pool, and
// --session-sql applies in every file's transaction (SET LOCAL) and
// nowhere else. A file outside a transaction that sets a session variable
// and relies on it later is refused, nothing of it run, naming the fix;
// with --direct-url it runs.
func TestPoolerSessionState(t *testing.T) {
	t.Parallel()
	srv := pgBouncer.Get(t)
	db, direct := pooledDB(t, srv)
	if _, err := direct.Exec("CREATE SCHEMA app"); err != nil {
		t.Fatal(err)
	}
	f := newFolder(t)
	f.write("0001_sets.sql", "SET statement_timeout = '4321s';\nSET search_path TO public;\nCREATE TABLE a (x int);\n")
	f.write("0002_reads.sql", "CREATE TABLE seen AS SELECT current_setting('statement_timeout') AS st, current_setting('search_path') AS sp;\n")
	r := f.run(db.URL, "up", "--session-sql", "SET search_path TO app")
	want(t, r, 0, "applied migrations/0002_reads.sql")
	var st, sp string
	if err := direct.QueryRow("SELECT st, sp FROM app.seen").Scan(&st, &sp); err != nil {
		t.Fatalf("app.seen (the session SQL's search_path should have put it in app): %v", err)
	}
	if st != "0" || sp != "app" {
		t.Errorf("the second file saw statement_timeout %q and search_path %q; want 0 (the first file's SET reset) and app (the session SQL)", st, sp)
	}
	if !tableExists(direct, "a") { // public.a: the file's own SET search_path held within its file
		t.Error("table a is not in public: the first file's SET did not apply to its own statements")
	}
	for i, v := range pooledConns(t, db.URL, 4, "SELECT current_setting('statement_timeout') || ' ' || current_setting('search_path')") {
		if v != `0 "$user", public` {
			t.Errorf("server session %d of the pool kept strata's settings: %q", i, v)
		}
	}
	// A session variable set outside a transaction and used later.
	f.write("0003_needs_session.sql", "-- strata:no-transaction\nSET maintenance_work_mem = '256MB';\nCREATE INDEX CONCURRENTLY a_x ON public.a (x);\n")
	// The first run's session SQL put the history in app.
	r = f.run(db.URL, "up", "--table", "app.strata_schema_history")
	want(t, r, 3, "0003_needs_session.sql:2 cannot run through a transaction-mode connection pooler", "SET maintenance_work_mem", "--direct-url", "nothing of it ran")
	if n := scalar(t, direct, "SELECT COUNT(*) FROM app.strata_schema_history WHERE version = '3'"); n != 0 {
		t.Errorf("the refused file has %d history rows, want none", n)
	}
	r = f.run(db.URL, "up", "--table", "app.strata_schema_history", "--direct-url", srv.Direct(db))
	want(t, r, 0, "applied migrations/0003_needs_session.sql")
}

// TestPoolerConcurrentIndex: CREATE INDEX CONCURRENTLY, outside a
// transaction, through the pooler: the index is built and valid, and a
// second run waiting for the lease meanwhile does not block it.
func TestPoolerConcurrentIndex(t *testing.T) {
	t.Parallel()
	srv := pgBouncer.Get(t)
	db, direct := pooledDB(t, srv)
	f := newFolder(t)
	f.write("0001_t.sql", "CREATE TABLE t (x int);\nINSERT INTO t SELECT generate_series(1, 50000);\n")
	f.write("0002_idx.sql", "CREATE INDEX CONCURRENTLY t_x ON t (x);\n")
	procs := []*bg{
		startBG(t, f, db.URL, "", "up", "--lock-timeout", "50s"),
		startBG(t, f, db.URL, "", "up", "--lock-timeout", "50s"),
	}
	for _, p := range procs {
		want(t, p.wait(), 0)
	}
	if n := scalar(t, direct, "SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_x' AND i.indisvalid"); n != 1 {
		t.Fatalf("valid index t_x: %d, want 1", n)
	}
	if st := f.status(db.URL); st.state("2") != "applied" {
		t.Fatalf("state = %q, want applied", st.state("2"))
	}
}

// TestPoolerLeaseSurvivesReassignment: through a PgBouncer that closes
// each server connection a second after it opened it (server_lifetime),
// the lease's renewals and the files' statements run on ever new server
// sessions while a run with a one-second lease works; the run keeps its
// lease and ends well.
func TestPoolerLeaseSurvivesReassignment(t *testing.T) {
	t.Parallel()
	srv := testserver.PgBouncer(t, testserver.PoolerOptions{ServerLifetime: time.Second})
	db, direct := pooledDB(t, srv)
	f := newFolder(t)
	for i := 1; i <= 6; i++ {
		f.write(fmt.Sprintf("%04d_f.sql", i), fmt.Sprintf("CREATE TABLE f%d (x int);\nSELECT pg_sleep(0.7);\n", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pids := map[int]bool{}
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			rows, err := direct.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", db.Name)
			if err == nil {
				for rows.Next() {
					var pid int
					if rows.Scan(&pid) == nil {
						mu.Lock()
						pids[pid] = true
						mu.Unlock()
					}
				}
				rows.Close()
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	r := f.run(db.URL, "up", "--lease-ttl", "1s")
	cancel()
	<-done
	if r.code != 0 {
		t.Fatalf("run: %s\nPgBouncer's log:\n%s", r, srv.Logs())
	}
	want(t, r, 0, "applied 6 migrations")
	mu.Lock()
	n := len(pids)
	mu.Unlock()
	if n <= 4 {
		t.Errorf("the run's statements used %d server sessions, want more than the pool's 4: PgBouncer did not replace them", n)
	}
}

// TestPoolerDoctor: doctor's pooler line through PgBouncer: a note with
// the evidence and what strata does; a failure with --lock-mode=session;
// ok with a --direct-url that reaches the server; and none found directly.
func TestPoolerDoctor(t *testing.T) {
	t.Parallel()
	srv := pgBouncer.Get(t)
	db, _ := pooledDB(t, srv)
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (x int);\n")
	for _, tc := range []struct {
		name string
		url  string
		args []string
		code int
		want []string
	}{
		{"pooled", db.URL, nil, 0, []string{"note  pooler", "a transaction-mode pooler: two client connections", "strata takes the lease lock", "--direct-url"}},
		{"pooled, session lock", db.URL, []string{"--lock-mode", "session"}, 1, []string{"fail  pooler", "two runs can migrate at once", "drop --lock-mode=session"}},
		{"direct url", db.URL, []string{"--direct-url", srv.Direct(db)}, 0, []string{"ok    pooler", "the database URL goes through a transaction-mode pooler", "use the direct URL"}},
		{"direct", srv.Direct(db), nil, 0, []string{"ok    pooler", "none in transaction mode", "the session lock is used"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, f.run(tc.url, append([]string{"doctor"}, tc.args...)...), tc.code, tc.want...)
		})
	}
}
