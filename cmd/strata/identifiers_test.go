package main

import (
	"bytes"
	"database/sql"
	"net"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
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
// name whose audit table (NAME_audit) would not fit is refused up front,
// naming the limit, before anything is created; the longest name that fits
// works.
func TestHistoryTableNameLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind  string
		fits  string // the longest name that fits
		limit string // what the error names
	}{
		{"postgres", strings.Repeat("h", 57), "63 bytes"},
		{"postgres", strings.Repeat("é", 28) + "h", "63 bytes"}, // 57 bytes
		{"mysql", strings.Repeat("h", 58), "64 characters"},
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
	url := privateMariaDB(t, "--lower-case-table-names=1")
	f := newFolder(t)
	f.write("0001_slow.sql", "-- strata:no-transaction\nCREATE TABLE a (id int);\nSELECT SLEEP(4);\n")
	cmd := exec.Command(bin, "up", "--url", url, "--dir", f.dir, "--table", "Hist_A")
	cmd.Dir, cmd.Env = f.wd, cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := f.run(url, "status", "--table", "hist_a", "--json")
		if r.code == 0 && strings.Contains(r.stdout, `"statements_applied": 1`) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the first run never reached its second statement: %s", r)
		}
		time.Sleep(50 * time.Millisecond)
	}
	want(t, f.run(url, "up", "--table", "hist_a", "--lock-timeout", "300ms"), 5, "waiting for the migration lock")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the first run: %v\n%s", err, out.String())
	}
	want(t, f.run(url, "status", "--table", "HIST_A"), 0, "database is at version 1; 0 pending")
}

// privateMariaDB starts a MariaDB server of the test's own, in a temporary
// folder on a free port, with the given options, and returns its URL. It
// skips the test when MariaDB is not installed (fails in CI).
func privateMariaDB(t *testing.T, opts ...string) string {
	t.Helper()
	install, err1 := exec.LookPath("mariadb-install-db")
	server := "/usr/sbin/mariadbd"
	_, err2 := os.Stat(server)
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("MariaDB is not installed: %v %v", err1, err2)
		}
		t.Skip("MariaDB is not installed")
	}
	dir, err := os.MkdirTemp("", "mdb") // short: the socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if out, err := exec.Command(install, "--no-defaults", "--datadir="+dir+"/data", "--auth-root-authentication-method=normal",
		"--skip-test-db", "--user="+currentUser(t)).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := append([]string{"--no-defaults", "--datadir=" + dir + "/data", "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket=" + dir + "/s.sock", "--user=" + currentUser(t), "--skip-log-bin"}, opts...)
	srv := exec.Command(server, args...)
	var log bytes.Buffer
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	db, err := sql.Open("mysql", "root@tcp(127.0.0.1:"+strconv.Itoa(port)+")/")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for db.Ping() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the private MariaDB did not start:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := db.Exec("CREATE DATABASE app"); err != nil {
		t.Fatal(err)
	}
	return "mysql://root@127.0.0.1:" + strconv.Itoa(port) + "/app"
}

func currentUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}
