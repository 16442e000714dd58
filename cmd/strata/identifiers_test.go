package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// TestSQLiteTableCaseOneLock: SQLite compares table names without ASCII
// case, so --table STRATA_Schema_History is the default history table and
// must take the same lock; two spellings of one table must never run at
// once.
func TestSQLiteTableCaseOneLock(t *testing.T) {
	t.Parallel()
	cases := []struct{ lockFile, table string }{
		{".strata-lock", "STRATA_Schema_History"},
		{".tenant_hist.strata-lock", "Tenant_HIST"},
	}
	for _, c := range cases {
		t.Run(c.table, func(t *testing.T) {
			t.Parallel()
			db := testdb.SQLite(t)
			f := newFolder(t)
			f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
			lock, err := os.OpenFile(db.Name+c.lockFile, os.O_CREATE|os.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Close()
			if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
				t.Fatal(err)
			}
			want(t, f.run(db.URL, "up", "--table", c.table, "--lock-timeout", "300ms"), 5, "waiting for the migration lock")
			if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_UN); err != nil {
				t.Fatal(err)
			}
			want(t, f.run(db.URL, "up", "--table", c.table), 0, "applied migrations/0001_a.sql")
			// The other spelling sees the same history.
			want(t, f.run(db.URL, "status", "--table", strings.ToLower(c.table)), 0, "database is at version 1; 0 pending")
		})
	}
}

// TestHistoryTableNameLimit: PostgreSQL silently truncates identifiers to
// 63 bytes and MySQL refuses more than 64 characters, so a history table
// name whose snapshot table (NAME_schema) would not fit is refused up front,
// naming the limit, before anything is created; the longest name that fits
// works.
func TestHistoryTableNameLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind  string
		fits  string // the longest name that fits
		limit string // what the error names
	}{
		{"postgres", strings.Repeat("h", 56), "63 bytes"},
		{"postgres", strings.Repeat("é", 28), "63 bytes"}, // 56 bytes
		{"mysql", strings.Repeat("h", 57), "64 characters"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, c.kind)
			f := newFolder(t)
			f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
			tooLong := c.fits + "x"
			for _, cmd := range []string{"up", "status"} {
				want(t, f.run(db.URL, cmd, "--table", tooLong), 2, "history table name", c.limit, "at most")
			}
			here := "table_schema = current_schema()"
			if c.kind == "mysql" {
				here = "table_schema = DATABASE()"
			}
			var n int
			if err := db.Open(t).QueryRow("SELECT count(*) FROM information_schema.tables WHERE " + here).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d tables exist after the refused run (%v), want none", n, err)
			}
			want(t, f.run(db.URL, "up", "--table", c.fits), 0, "applied migrations/0001_a.sql")
			want(t, f.run(db.URL, "status", "--table", c.fits), 0, "database is at version 1; 0 pending")
		})
	}
}

// TestMySQLTableCaseOneLock: on a server with lower_case_table_names=1,
// --table Hist_A and --table hist_a are one table, so they must be one
// lock: a second run with the other spelling waits for the first instead
// of taking its running row for a dead run's. The test starts a MariaDB of
// its own, since the setting is fixed when a server starts.
func TestMySQLTableCaseOneLock(t *testing.T) {
	t.Parallel()
	srv := testserver.MariaDB(t, testserver.Options{Settings: map[string]string{"lower-case-table-names": "1"}})
	db := srv.Database(t)
	url := db.URL
	conn := db.Open(t)
	block := holdBlocker(t, conn, "mysql")
	f := newFolder(t)
	f.write("0001_slow.sql", "-- strata:no-transaction\nCREATE TABLE a (id int);\n"+block.SQL()+";\n")
	cmd := exec.Command(bin, "up", "--url", url, "--dir", f.dir, "--table", "Hist_A")
	cmd.Dir, cmd.Env = f.wd, cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer block.release() // before waiting for the run, if the test fails
	block.wait(conn, db.Name)
	// The first run is in its second statement, and the other spelling
	// reads its progress.
	want(t, f.run(url, "status", "--table", "hist_a", "--json"), 0, `"statements_applied": 1`)
	want(t, f.run(url, "up", "--table", "hist_a", "--lock-timeout", "300ms"), 5, "waiting for the migration lock")
	block.release()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the first run: %v\n%s", err, out.String())
	}
	want(t, f.run(url, "status", "--table", "HIST_A"), 0, "database is at version 1; 0 pending")
}
