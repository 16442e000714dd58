package main

import (
	"bufio"
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

const secret = "s3cretPW"

func noSecret(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatalf("the password was printed:\n%s", r)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	u := "postgres://postgres:" + secret + "@127.0.0.1:1/x?sslpassword=" + secret
	for _, args := range [][]string{{"up"}, {"status"}, {"plan"}, {"up", "--json"}, {"up", "--verbose"}} {
		r := f.run(u, args...)
		want(t, r, 6, "cannot connect to postgres://postgres:xxxxx@127.0.0.1:1/x?sslpassword=xxxxx")
		noSecret(t, r)
	}
	e := parseError(t, f.run(u, "up", "--json"))
	if e.Error.Code != "unreachable" || e.Error.ExitCode != 6 {
		t.Errorf("--json error = %+v", e)
	}
	// From the environment too, and through a _FILE.
	r := strataEnv(t, f.wd, []string{"DATABASE_URL=" + u}, "up", "--dir", f.dir)
	want(t, r, 6)
	noSecret(t, r)
	file := filepath.Join(t.TempDir(), "url")
	if err := os.WriteFile(file, []byte(u+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = strataEnv(t, f.wd, []string{"STRATA_DATABASE_URL_FILE=" + file}, "status", "--dir", f.dir)
	want(t, r, 6, "xxxxx")
	noSecret(t, r)
}

// TestPasswordNeverPrinted runs through a real server with a password in
// the URL: PostgreSQL on trust auth ignores it, MariaDB rejects it.
func TestPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db := testdb.New(t, "postgres")
		u, err := url.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), secret)
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		f.write("0002_broken.sql", "SELECT * FROM no_such_table;\n")
		for _, args := range [][]string{{"plan", "--sql"}, {"up", "--verbose"}, {"up", "--json"}, {"status"}, {"status", "--json"}} {
			r := f.run(u.String(), args...)
			noSecret(t, r)
		}
		r := f.run(u.String(), "up", "--url", u.String()+"&options=-c%20bogus_setting%3D1")
		noSecret(t, r)
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		db := testdb.New(t, "mysql")
		u, err := url.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword("strata_no_such_user", secret)
		f := newFolder(t)
		f.write("0001_create_users.sql", createUsers)
		r := f.run(u.String(), "up")
		want(t, r, 6, "strata_no_such_user:xxxxx@")
		noSecret(t, r)
	})
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	lite := "sqlite:test.db"
	for _, tc := range []struct {
		args     []string
		contains string
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"up", "--nope"}, "unknown flag: --nope"},
		{[]string{"up", "extra"}, `strata up takes no arguments; got "extra"`},
		{[]string{"up", "--url", "oracle://x:" + secret + "@h/db"}, `unsupported database URL scheme "oracle"`},
		{[]string{"up", "--url", "mysql://root:" + secret + "@h"}, "needs one database name"},
		{[]string{"up", "--url", lite, "--tx", "some"}, "unknown transaction mode"},
		{[]string{"up", "--url", lite, "--to", "v2"}, "--to: version"},
		{[]string{"up", "--url", lite, "--dir", "nowhere"}, "the migrations folder nowhere does not exist"},
		{[]string{"up", "--url", lite, "--lock-timeout", "soon"}, "invalid argument"},
		{[]string{"up", "--url", lite, "--quiet", "--verbose"}, "contradict"},
		{[]string{"up", "--url", lite, "--table", "a.b.c"}, "history table"},
		{[]string{"status", "--url", "mysql://root@127.0.0.1:3306/x", "--tx", "all"}, "--tx=all is not possible on mysql"},
	} {
		args := tc.args
		if !slices.Contains(args, "--dir") {
			args = append(args, "--dir", f.dir)
		}
		r := strata(t, f.wd, args...)
		want(t, r, 2, "error: ", tc.contains)
		noSecret(t, r)
	}
	// A bad environment variable is a usage error naming it.
	r := strataEnv(t, f.wd, []string{"STRATA_LOCK_TIMEOUT=forever"}, "status", "--url", lite, "--dir", f.dir)
	want(t, r, 2, "STRATA_LOCK_TIMEOUT")
	// A folder with a badly named file is a usage error.
	f.write("create_things.sql", "SELECT 1;\n")
	want(t, f.run(lite, "up"), 2, "create_things.sql: the name does not start with a version number")
}

func TestEnvPrecedence(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	other := filepath.Join(f.wd, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	// STRATA_DIR and STRATA_DATABASE_URL beat the defaults and DATABASE_URL.
	env := []string{"STRATA_DIR=" + f.dir, "STRATA_DATABASE_URL=sqlite:env.db", "DATABASE_URL=sqlite:ignored.db"}
	want(t, strataEnv(t, f.wd, env, "up"), 0, "applied migrations/0001_create_users.sql")
	if _, err := os.Stat(filepath.Join(f.wd, "env.db")); err != nil {
		t.Errorf("STRATA_DATABASE_URL was not used: %v", err)
	}
	// Flags beat the environment: --dir other is empty (allowed), --url flag.db.
	want(t, strataEnv(t, f.wd, env, "up", "--dir", "other", "--url", "sqlite:flag.db", "--allow-empty"), 0, "nothing to do: no migrations applied")
	if _, err := os.Stat(filepath.Join(f.wd, "flag.db")); err != nil {
		t.Errorf("--url was not used: %v", err)
	}
	// With nothing set, the default is sqlite:strata.db and ./migrations.
	want(t, strata(t, f.wd, "up"), 0, "applied migrations/0001_create_users.sql")
	if _, err := os.Stat(filepath.Join(f.wd, "strata.db")); err != nil {
		t.Errorf("the default URL was not used: %v", err)
	}
	// STRATA_JSON switches on JSON output.
	r := strataEnv(t, f.wd, []string{"STRATA_JSON=true"}, "status")
	want(t, r, 0, `"current_version": "1"`)
}

// startSlow starts `strata up --verbose` and waits until it has sent the
// first statement of file.
func startSlow(t *testing.T, f *folder, url, file string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, "up", "--verbose", "--url", url, "--dir", f.dir)
	cmd.Dir, cmd.Env = f.wd, cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.Contains(sc.Text(), file+":1:") {
			go func() { // drain the rest
				for sc.Scan() {
				}
			}()
			return cmd, &stderr
		}
	}
	cmd.Wait()
	t.Fatalf("strata up did not start %s; stderr: %s", file, stderr.String())
	return nil, nil
}

func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func TestLockTimeoutAndSignals(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			conn := db.Open(t)
			f := newFolder(t)
			block := holdBlocker(t, conn, db.DriverName)
			f.write("0001_slow.sql", block.SQL()+";\n")

			// A second run times out on the lock while the first one waits
			// on the blocker: exit 5.
			cmd, _ := startSlow(t, f, db.URL, "0001_slow.sql")
			r := f.run(db.URL, "up", "--lock-timeout", "500ms")
			want(t, r, 5, "timed out after 500ms waiting for the migration lock")
			if e := parseError(t, f.run(db.URL, "up", "--lock-timeout", "200ms", "--json")); e.Error.Code != "lock_timeout" {
				t.Errorf("--json error = %+v", e)
			}
			block.release()
			if code := exitOf(t, cmd); code != 0 {
				t.Fatalf("the first run exited %d", code)
			}

			// SIGINT and SIGTERM stop a run: exit 130 and 143, nothing recorded.
			f.write("0002_slow.sql", hang(db.DriverName)+";\n")
			for _, tc := range []struct {
				sig  syscall.Signal
				code int
			}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
				cmd, stderr := startSlow(t, f, db.URL, "0002_slow.sql")
				waitRunning(t, conn, db.DriverName, db.Name, hang(db.DriverName))
				if err := cmd.Process.Signal(tc.sig); err != nil {
					t.Fatal(err)
				}
				if got := exitOf(t, cmd); got != tc.code {
					t.Fatalf("%v: exit %d, want %d; stderr: %s", tc.sig, got, tc.code, stderr)
				}
				if !strings.Contains(stderr.String(), "error: interrupted") {
					t.Errorf("%v: stderr %q", tc.sig, stderr)
				}
				if st := f.status(db.URL); st.state("2") != "pending" {
					t.Fatalf("after %v: state of 2 = %q", tc.sig, st.state("2"))
				}
			}
			// The lock is free again.
			f.write("0002_slow.sql", "SELECT 1;\n")
			want(t, f.run(db.URL, "up", "--lock-timeout", "2s"), 0, "applied migrations/0002_slow.sql")
		})
	}
}

// TestSQLiteLockTimeout holds the SQLite lock file in this process.
func TestSQLiteLockTimeout(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "sqlite")
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	lock, err := os.OpenFile(db.Name+".strata-lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	want(t, f.run(db.URL, "up", "--lock-timeout", "300ms"), 5, "waiting for the migration lock")
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	want(t, f.run(db.URL, "up", "--lock-timeout", "1s"), 0, "applied migrations/0001_create_users.sql")
}
