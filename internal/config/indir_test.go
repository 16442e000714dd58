package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkingFolder: a run's working folder, not the process's, is where
// relative paths point: the SQLite file of a URL, strata.toml and
// --config, --password-file and the folder --password-command runs in.
func TestWorkingFolder(t *testing.T) {
	t.Parallel()
	wd := t.TempDir()
	ctx := context.Background()

	tg, err := Parse("sqlite:data/app.db?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	tg.InDir(wd)
	var missing *MissingFileError
	if err := tg.FileExists(); !errors.As(err, &missing) || missing.Path != "data/app.db" {
		t.Fatalf("before the file exists: %v, want a MissingFileError naming data/app.db as the URL does", err)
	}
	if err := os.Mkdir(filepath.Join(wd, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := tg.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(filepath.Join(wd, "data", "app.db")); err != nil {
		t.Fatalf("the database is not in the working folder: %v", err)
	}
	if err := tg.FileExists(); err != nil {
		t.Errorf("after: %v", err)
	}
	if !strings.HasSuffix(tg.DSN, "&_pragma=busy_timeout(100)") {
		t.Errorf("the URL's own parameters are lost: %s", tg.DSN)
	}
	for _, raw := range []string{"sqlite:" + filepath.Join(wd, "abs.db"), "sqlite::memory:", "postgres://u@h/db"} {
		a, _ := Parse(raw)
		b, _ := Parse(raw)
		b.InDir(wd)
		if a.DSN != b.DSN {
			t.Errorf("%s: InDir changed the DSN from %q to %q", raw, a.DSN, b.DSN)
		}
	}

	if f, err := FindFile(wd, "", []string{"dir"}); f != nil || err != nil {
		t.Fatalf("no strata.toml in the working folder: %v, %v", f, err)
	}
	if err := os.WriteFile(filepath.Join(wd, DefaultFile), []byte("dir = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", DefaultFile} {
		f, err := FindFile(wd, name, []string{"dir"})
		if err != nil || f == nil || f.Path != DefaultFile || f.Values["dir"][0] != "x" {
			t.Errorf("FindFile(%q): %+v, %v", name, f, err)
		}
	}

	if err := os.WriteFile(filepath.Join(wd, "pw"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := Env{"PATH": os.Getenv("PATH")}
	for _, in := range []PasswordInput{{File: "pw", Dir: wd}, {Command: "cat pw", Env: path, Dir: wd}} {
		if pw, ok, err := in.Password(ctx); pw != "s3cret" || !ok || err != nil {
			t.Errorf("%+v: %v %v", in, ok, err)
		}
	}
}
