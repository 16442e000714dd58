package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestHostileFolderEntries: entries of the migrations folder that are not
// regular files, or whose names would corrupt output, are refused with
// their name (quoted when it is not printable) before anything runs; a
// named pipe must not make strata hang.
func TestHostileFolderEntries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		make   func(t *testing.T, path string) // creates the entry at path
		output []string                        // what the error must say
	}{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p+"/0002_pipe.sql", 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"0002_pipe.sql", "named pipe"}},
		{"socket", func(t *testing.T, p string) {
			l, err := net.Listen("unix", p+"/0002_s.sql")
			if err != nil {
				t.Skipf("cannot create a socket here: %v", err)
			}
			t.Cleanup(func() { l.Close() })
		}, []string{"0002_s.sql", "is a socket"}},
		{"device", func(t *testing.T, p string) {
			if err := os.Symlink("/dev/null", p+"/0002_null.sql"); err != nil {
				t.Fatal(err)
			}
		}, []string{"0002_null.sql", "is a device"}},
		{"symlink loop", func(t *testing.T, p string) {
			if err := os.Symlink("0002_loop.sql", p+"/0002_loop.sql"); err != nil {
				t.Fatal(err)
			}
		}, []string{"0002_loop.sql", "symbolic link"}},
		{"newline in name", func(t *testing.T, p string) {
			writeFile(t, p+"/0002_a\nb.sql", "SELECT 1;", 0o644)
		}, []string{`"0002_a\nb.sql"`, "control character U+000A"}},
		{"terminal escape in name", func(t *testing.T, p string) {
			writeFile(t, p+"/0002_\x1b[31mred.sql", "SELECT 1;", 0o644)
		}, []string{`"0002_\x1b[31mred.sql"`, "control character U+001B"}},
		{"NUL byte in the file", func(t *testing.T, p string) {
			writeFile(t, p+"/0002_nul.sql", "SELECT 1;\nSELECT 2;\x00 DROP TABLE a;\n", 0o644)
		}, []string{"0002_nul.sql:2: a NUL byte"}},
		{"name not UTF-8", func(t *testing.T, p string) {
			writeFile(t, p+"/0002_caf\xe9.sql", "SELECT 1;", 0o644)
		}, []string{`"0002_caf\xe9.sql"`, "not valid UTF-8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.SQLite(t)
			// A short folder path: socket paths are limited to ~100 bytes.
			wd, err := os.MkdirTemp("", "h")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(wd) })
			f := &folder{t: t, wd: wd, dir: "m", path: filepath.Join(wd, "m")}
			if err := os.Mkdir(f.path, 0o755); err != nil {
				t.Fatal(err)
			}
			f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
			c.make(t, f.path)
			for _, cmd := range []string{"up", "status"} {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				r := runStrata(t, ctx, f.wd, nil, cmd, "--url", db.URL, "--dir", f.dir)
				hung := ctx.Err() != nil
				cancel()
				if hung {
					t.Fatalf("strata %s did not finish (hung on the folder): %s", cmd, r)
				}
				want(t, r, 2, c.output...)
				// Byte by byte: ContainsAny reads runes, and \xe9 alone is not one.
				if out := r.stdout + r.stderr; strings.Contains(out, "\x1b") || strings.Contains(out, "\xe9") {
					t.Fatalf("the raw name reached the output: %q", r.stderr)
				}
				if strings.Contains(r.stdout+r.stderr, "0002_a\nb") {
					t.Fatalf("the newline in the name split the error over two lines: %q", r.stderr)
				}
			}
			// Nothing was applied: 0001 is still pending once the entry is gone.
			entries, _ := os.ReadDir(f.path)
			for _, e := range entries {
				if e.Name() != "0001_a.sql" {
					os.Remove(filepath.Join(f.path, e.Name()))
				}
			}
			if st := f.status(db.URL); st.state("1") != "pending" {
				t.Fatalf("0001 is %q after the refused run, want pending", st.state("1"))
			}
		})
	}
}
