package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// marker is a shell command that writes its PID and $STRATA_TEST_MARK to
// file, for checking what strata run and await started.
func marker(file string) []string {
	return []string{"--", "sh", "-c", `echo "$$ $STRATA_TEST_MARK" > ` + file}
}

// startStrata starts the binary in f's folder, with extra environment.
func startStrata(t *testing.T, f *folder, env []string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = f.wd, cleanEnv(env...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// readMarker returns the PID and variable the marker command wrote, or
// ok=false when it never ran.
func readMarker(t *testing.T, file string) (pid int, mark string, ok bool) {
	t.Helper()
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return 0, "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		t.Fatalf("marker file holds %q", b)
	}
	pid, err = strconv.Atoi(fields[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid, fields[1], true
}

// TestRun: strata run migrates, then becomes the command: same PID, same
// environment. A failed migration never starts it (exit 4).
func TestRun(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_create_users.sql", createUsers)
			file := filepath.Join(t.TempDir(), "started")
			args := append([]string{"run", "--url", db.URL, "--dir", f.dir}, marker(file)...)
			for i := range 2 { // pending, then nothing to do
				os.Remove(file)
				cmd, out := startStrata(t, f, []string{"STRATA_TEST_MARK=passed-" + strconv.Itoa(i)}, args...)
				if code := exitOf(t, cmd); code != 0 {
					t.Fatalf("run %d: exit %d\n%s", i, code, out)
				}
				pid, mark, ok := readMarker(t, file)
				if !ok || pid != cmd.Process.Pid || mark != "passed-"+strconv.Itoa(i) {
					t.Fatalf("run %d: the command wrote pid %d, %q (ran: %v); strata's PID was %d\n%s", i, pid, mark, ok, cmd.Process.Pid, out)
				}
				wantOut := []string{"applied migrations/0001_create_users.sql", "nothing to do"}[i]
				if !strings.Contains(out.String(), wantOut) {
					t.Errorf("run %d: output lacks %q:\n%s", i, wantOut, out)
				}
			}
			if st := f.status(db.URL); st.state("1") != "applied" {
				t.Fatalf("state of 1 = %q", st.state("1"))
			}

			os.Remove(file)
			f.write("0002_broken.sql", "SELECT * FROM no_such_table;\n")
			r := strata(t, f.wd, args...)
			want(t, r, 4, "no_such_table")
			if _, _, ok := readMarker(t, file); ok {
				t.Fatal("the command started after a failed migration")
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	want(t, f.run("sqlite:x.db", "run"), 2, "no command given")
	want(t, f.run("sqlite:x.db", "run", "--", "strata-no-such-command"), 2, "put it on PATH")
	want(t, f.run("sqlite:x.db", "run", "sh", "--", "x"), 2, "put the command after --")
	if _, err := os.Stat(filepath.Join(f.wd, "x.db")); err == nil {
		t.Error("run connected before finding the command")
	}
}

// TestAwait: await polls until another process has applied the head, then
// exits 0 or starts its command; without that it times out with exit 7.
func TestAwait(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	f.write("0002_create_posts.sql", createPosts)

	r := f.run(db.URL, "await", "--timeout", "1s", "--interval", "200ms", "--json")
	want(t, r, 7, "timed out after 1s waiting for the database to reach version 2")
	if e := parseError(t, r); e.Error.Code != "await_timeout" || e.Error.ExitCode != 7 {
		t.Errorf("--json error = %+v", e)
	}

	file := filepath.Join(t.TempDir(), "started")
	plain, _ := startStrata(t, f, nil, "await", "--url", db.URL, "--dir", f.dir, "--timeout", "60s", "--interval", "100ms")
	withCmd, out := startStrata(t, f, []string{"STRATA_TEST_MARK=await"},
		append([]string{"await", "--verbose", "--url", db.URL, "--dir", f.dir, "--timeout", "60s", "--interval", "100ms"}, marker(file)...)...)
	waitOutput(t, out, "not there yet") // await has read the history
	if _, _, ok := readMarker(t, file); ok {
		t.Fatal("await started its command before the migrations ran")
	}
	want(t, f.run(db.URL, "up", "--to", "1"), 0)
	waitOutput(t, out, "current_version=1") // await has seen version 1
	if _, _, ok := readMarker(t, file); ok {
		t.Fatal("await started its command at version 1 of 2")
	}
	done := time.Now()
	want(t, f.run(db.URL, "up"), 0)
	if code := exitOf(t, plain); code != 0 {
		t.Fatalf("await exited %d", code)
	}
	if code := exitOf(t, withCmd); code != 0 {
		t.Fatalf("await -- cmd exited %d\n%s", code, out)
	}
	if el := time.Since(done); el > 3*time.Second {
		t.Errorf("await returned %v after up", el)
	}
	pid, mark, ok := readMarker(t, file)
	if !ok || pid != withCmd.Process.Pid || mark != "await" {
		t.Fatalf("await's command wrote %d %q (ran: %v), want PID %d", pid, mark, ok, withCmd.Process.Pid)
	}
	// An explicit --version already reached returns at once.
	want(t, f.run(db.URL, "await", "--version", "1", "--timeout", "5s"), 0, "database reached version 1")
}
