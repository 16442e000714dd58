package source

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// TestDirFSLikeOSDirFS: Load gives the same migrations, and the same
// errors, from DirFS as from os.DirFS, and DirFS passes the standard file
// system tests.
func TestDirFSLikeOSDirFS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("0001_init.sql", "\xef\xbb\xbfCREATE TABLE t (id int);\r\n")
	write("0001_init.down.sql", "DROP TABLE t;\n")
	write("0002_more.sql", "-- strata:no-transaction\r\n-- strata:lock-timeout 3s\nSELECT 1;\n")
	write("0003_big.sql", strings.Repeat(" ", 3*bufSize+17))
	write("R__v.sql", "CREATE VIEW v AS SELECT 1;")
	write(".hidden.sql", "x")
	write("README.md", "docs")
	if err := os.Mkdir(filepath.Join(dir, "archive.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("0002_more.sql", filepath.Join(dir, "0004_linked.sql")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("archive.sql", filepath.Join(dir, "0005_dirlink.sql")); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(DirFS(dir), "0001_init.sql", "0004_linked.sql", "archive.sql"); err != nil {
		t.Fatal(err)
	}
	load := func(fsys fs.FS) (*Dir, error) {
		d, err := Load(fsys)
		if d != nil {
			d.FS = nil
		}
		return d, err
	}
	for _, sub := range []string{dir, dir + "/"} {
		want, err := load(os.DirFS(sub))
		if err != nil {
			t.Fatal(err)
		}
		got, err := load(DirFS(sub))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DirFS(%q) loaded\n%+v\nos.DirFS loaded\n%+v", sub, got, want)
		}
	}

	// Errors: a dangling link, bad UTF-8 past the first read buffer.
	if err := os.Symlink("nowhere.sql", filepath.Join(dir, "0006_dangling.sql")); err != nil {
		t.Fatal(err)
	}
	write("0007_bad.sql", strings.Repeat(" ", bufSize+5)+"\n\xff")
	_, want := load(os.DirFS(dir))
	_, got := load(DirFS(dir))
	t.Logf("errors: %v", got)
	if want == nil || got == nil || got.Error() != want.Error() {
		t.Fatalf("DirFS error:\n%v\nos.DirFS error:\n%v", got, want)
	}
	if _, err := Load(DirFS(filepath.Join(dir, "missing"))); err == nil {
		t.Error("Load of a missing directory succeeded")
	}
	if _, err := Load(DirFS("")); err == nil {
		t.Error("Load of DirFS(\"\") succeeded")
	}
}
