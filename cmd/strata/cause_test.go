package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestInterruptedRowKeepsCause: a file stopped by Ctrl-C records why in its
// history row, not only the server's "statement canceled", and status and
// history VERSION show it.
func TestInterruptedRowKeepsCause(t *testing.T) {
	t.Parallel()
	sleep := map[string]string{"postgres": "SELECT pg_sleep(60);", "mysql": "SELECT SLEEP(60);"}
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_slow.sql", "-- strata:no-transaction\nCREATE TABLE a (id int);\n"+sleep[kind]+"\nCREATE TABLE b (id int);\n")
			cmd := exec.Command(bin, "up", "--url", db.URL, "--dir", f.dir)
			cmd.Dir, cmd.Env = f.wd, cleanEnv()
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the first statement is recorded, then interrupt.
			deadline := time.Now().Add(60 * time.Second)
			for {
				st := f.status(db.URL)
				if len(st.Migrations) == 1 && st.Migrations[0].StatementsApplied == 1 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the file never reached its second statement: %+v", st)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			const cause = "the run was stopped: interrupt signal received"
			st := f.status(db.URL)
			if m := st.Migrations[0]; m.State != "partial" || m.Error == nil || !strings.Contains(*m.Error, cause) {
				t.Fatalf("row after Ctrl-C: %+v (error %v), want partial with %q\nrun output:\n%s", m, strPtr(m.Error), cause, out.String())
			}
			// The statement's own error is there too, never a blank.
			if before, _, _ := strings.Cut(*st.Migrations[0].Error, ";"); strings.TrimSpace(strings.TrimPrefix(before, "migrations/0001_slow.sql:3: statement 2:")) == "" {
				t.Fatalf("the row records no error for the statement: %q", *st.Migrations[0].Error)
			}
			want(t, f.run(db.URL, "history", "1"), 0, cause)
		})
	}
}

func strPtr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
