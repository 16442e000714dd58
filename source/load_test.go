package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// mapFS builds a MapFS from name -> content.
func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, content := range files {
		m[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return m
}

// fileErrors returns the *FileErrors joined in err.
func fileErrors(t *testing.T, err error) []*FileError {
	t.Helper()
	var out []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		out = j.Unwrap()
	} else if err != nil {
		out = []error{err}
	}
	var fes []*FileError
	for _, e := range out {
		var fe *FileError
		if !errors.As(e, &fe) {
			t.Fatalf("error %v (%T) is not a *FileError", e, e)
		}
		fes = append(fes, fe)
	}
	return fes
}

func TestLoadNames(t *testing.T) {
	type mig struct{ id, desc, path, down string }
	tests := []struct {
		name       string
		files      map[string]string
		versioned  []mig
		repeatable []mig
	}{
		{
			name: "plain, up and down, dots, no description",
			files: map[string]string{
				"0001.sql":                     "SELECT 1;",
				"0002_create_users.sql":        "SELECT 2;",
				"0002_create_users.down.sql":   "SELECT -2;",
				"0042_users.postgres.up.sql":   "SELECT 42;",
				"0042_users.postgres.down.sql": "SELECT -42;",
				"0043.down.sql":                "SELECT -43;",
				"0043.up.sql":                  "SELECT 43;",
			},
			versioned: []mig{
				{"1", "", "0001.sql", ""},
				{"2", "create_users", "0002_create_users.sql", "0002_create_users.down.sql"},
				{"42", "users.postgres", "0042_users.postgres.up.sql", "0042_users.postgres.down.sql"},
				{"43", "", "0043.up.sql", "0043.down.sql"},
			},
		},
		{
			name: "ignored entries",
			files: map[string]string{
				"README.md":               "# hi",
				".gitkeep":                "",
				".0003_hidden.sql":        "SELECT 3;",
				"0001_a.sql~":             "backup",
				"0001_a.sql.bak":          "backup",
				"sub/0002_nested.sql":     "SELECT 2;",
				"0001_a.sql":              "SELECT 1;",
				"notes.txt":               "x",
				"sub/deeper/R__x.sql":     "SELECT 1;",
				"schema.sqlite.db-wal":    "",
				"R__views.sql":            "CREATE VIEW v AS SELECT 1;",
				"R__functions.up.sql":     "SELECT 1;",
				"R__a.b.c.sql":            "SELECT 1;",
				"0100_b.sql":              "SELECT 100;",
				"010_c.sql":               "SELECT 10;",
				"9_d.sql":                 "SELECT 9;",
				"00000000000000000_e.sql": "SELECT 0;",
			},
			versioned: []mig{
				{"0", "e", "00000000000000000_e.sql", ""},
				{"1", "a", "0001_a.sql", ""},
				{"9", "d", "9_d.sql", ""},
				{"10", "c", "010_c.sql", ""},
				{"100", "b", "0100_b.sql", ""},
			},
			repeatable: []mig{
				{"R__a.b.c", "a.b.c", "R__a.b.c.sql", ""},
				{"R__functions", "functions", "R__functions.up.sql", ""},
				{"R__views", "views", "R__views.sql", ""},
			},
		},
		{
			name: "versions beyond int64",
			files: map[string]string{
				"99999999999999999999_c.sql": "", "9223372036854775807_a.sql": "",
				"12345678901234567890_b.sql": "", "20240101120000_t.sql": "",
				"20240101120000000001_big_version.sql": "",
			},
			versioned: []mig{
				{"20240101120000", "t", "20240101120000_t.sql", ""},
				{"9223372036854775807", "a", "9223372036854775807_a.sql", ""},
				{"12345678901234567890", "b", "12345678901234567890_b.sql", ""},
				{"20240101120000000001", "big_version", "20240101120000000001_big_version.sql", ""},
				{"99999999999999999999", "c", "99999999999999999999_c.sql", ""},
			},
		},
		{name: "empty", files: map[string]string{"README.md": "nothing yet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadWith(mapFS(tt.files), LoadOptions{AllowEmpty: true})
			if err != nil {
				t.Fatal(err)
			}
			check := func(kind Kind, got []*Migration, want []mig) {
				if len(got) != len(want) {
					t.Fatalf("%s: got %d migrations, want %d", kind, len(got), len(want))
				}
				for i, w := range want {
					g := got[i]
					if g.Kind != kind || g.ID() != w.id || g.Description != w.desc || g.Path != w.path || g.DownPath != w.down {
						t.Errorf("%s[%d] = {%s %q %q %q %q}, want {%s %q %q %q %q}", kind, i,
							g.Kind, g.ID(), g.Description, g.Path, g.DownPath, kind, w.id, w.desc, w.path, w.down)
					}
					if len(g.Checksum) != 64 || (g.DownPath != "") != (g.DownChecksum != "") {
						t.Errorf("%s: checksum %q, down checksum %q", g.Path, g.Checksum, g.DownChecksum)
					}
					if kind == Repeatable && !g.Version.IsZero() {
						t.Errorf("%s: repeatable has version %s", g.Path, g.Version)
					}
				}
			}
			check(Versioned, d.Versioned, tt.versioned)
			check(Repeatable, d.Repeatable, tt.repeatable)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // one substring per expected error, in order
	}{
		{"bad names", map[string]string{
			"create_users.sql": "", "0001-a.sql": "", "0002a.sql": "", "0003_.sql": "",
			"R__.sql": "", "r__x.sql": "", "0004_A.SQL": "", "R__x.down.sql": "", "0005_ok.sql": "",
		}, []string{
			"0001-a.sql: the version must be followed by _ and a description: rename it to NNNN_description.sql",
			"0002a.sql: the version must be followed by _",
			"0003_.sql: the description after the _ is empty",
			"0004_A.SQL: the extension must be lower-case .sql: rename it to 0004_A.sql",
			"R__.sql: a repeatable migration needs a description",
			"R__x.down.sql: repeatable migrations have no down file",
			"create_users.sql: the name does not start with a version number: rename it to NNNN_description.sql (for example 0001_create_users.sql, with an optional 0001_create_users.down.sql), or R__description.sql for a repeatable migration",
			"r__x.sql: the name does not start with a version number",
		}},
		{"duplicates", map[string]string{
			"0001_a.sql": "", "1_b.sql": "", "0002_a.sql": "", "0002_b.sql": "",
			"3_x.sql": "", "03_y.sql": "", "003_z.up.sql": "", "R__v.sql": "", "R__v.up.sql": "",
		}, []string{
			"0001_a.sql, 1_b.sql: two files have version 1: renumber one of them",
			"0002_a.sql, 0002_b.sql: two files have version 2: renumber one of them",
			"003_z.up.sql, 03_y.sql, 3_x.sql: 3 files have version 3: renumber all but one of them",
			"R__v.sql, R__v.up.sql: two files are the repeatable migration R__v",
		}},
		{"down files", map[string]string{
			"0001_a.sql": "", "0001_b.down.sql": "", "0002_gone.down.sql": "",
			"0003_c.sql": "", "0003_c.down.sql": "", "3_c.down.sql": "",
		}, []string{
			"0001_b.down.sql, 0001_a.sql: the down file's description does not match its up file: rename it to 0001_a.down.sql",
			"0002_gone.down.sql: down file without an up file: add 0002_gone.sql or delete this file",
			"0003_c.down.sql, 3_c.down.sql: two down files have version 3",
		}},
		{"too long", map[string]string{strings.Repeat("1", 65) + "_x.sql": ""}, []string{
			"version has 65 digits, more than the limit of 64",
		}},
		{"everything at once", map[string]string{
			"bad.sql": "", "0001_a.sql": "\xff", "0002_b.sql": "-- strata:nope\nSELECT 1;",
		}, []string{
			"bad.sql: the name does not start",
			"0001_a.sql:1: invalid UTF-8",
			"0002_b.sql:1: unknown directive",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load(mapFS(tt.files))
			if err == nil {
				t.Fatalf("Load succeeded: %+v", d)
			}
			if d != nil {
				t.Errorf("Load returned a Dir with an error")
			}
			fes := fileErrors(t, err)
			if len(fes) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(fes), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.Contains(fes[i].Error(), w) {
					t.Errorf("error %d = %q, want it to contain %q", i, fes[i].Error(), w)
				}
			}
		})
	}
}

func TestFileErrorFormat(t *testing.T) {
	tests := []struct {
		e    FileError
		want string
	}{
		{FileError{Files: []string{"0002_a.sql", "0002_b.sql"}, Msg: "two files have version 2: renumber one of them"},
			"0002_a.sql, 0002_b.sql: two files have version 2: renumber one of them"},
		{FileError{Files: []string{"0001_a.sql"}, Line: 7, Msg: "bad"}, "0001_a.sql:7: bad"},
		{FileError{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	inner := errors.New("disk on fire")
	if fe := (&FileError{Err: inner}); !errors.Is(fe, inner) {
		t.Error("FileError does not unwrap")
	}
}

func TestLoadDirFS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("0001_init.sql", "CREATE TABLE t (id int);\r\n")
	write("0001_init.down.sql", "DROP TABLE t;\n")
	write("0002_more.sql", "-- strata:no-transaction\nSELECT 1;\n")
	write("README.md", "docs")
	if err := os.Mkdir(filepath.Join(dir, "archive"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("archive/0001_old.sql", "SELECT 'ignored';")
	if err := os.Mkdir(filepath.Join(dir, "link_target.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Versioned) != 2 || d.Head().Path != "0002_more.sql" || !d.Head().Directives.NoTransaction {
		t.Fatalf("unexpected result: %+v", d.Versioned)
	}
	lf, _, _ := Checksum(strings.NewReader("CREATE TABLE t (id int);\n"))
	if got := d.Versioned[0].Checksum; got != lf {
		t.Errorf("CRLF file checksum %s, want the LF checksum %s", got, lf)
	}
	if d.Versioned[0].DownPath != "0001_init.down.sql" {
		t.Errorf("down path %q", d.Versioned[0].DownPath)
	}
	if _, err := Load(os.DirFS(filepath.Join(dir, "missing"))); err == nil {
		t.Error("Load of a missing directory succeeded")
	}
}

func TestFindHead(t *testing.T) {
	d, err := Load(mapFS(map[string]string{"0001_a.sql": "", "0010_b.sql": "", "12345678901234567890_c.sql": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Find(mustVersion(t, "10")); m == nil || m.Path != "0010_b.sql" {
		t.Errorf("Find(10) = %+v", m)
	}
	if m := d.Find(mustVersion(t, "2")); m != nil {
		t.Errorf("Find(2) = %+v, want nil", m)
	}
	if m := d.Find(Version{}); m != nil {
		t.Errorf("Find(zero) = %+v, want nil", m)
	}
	if h := d.Head(); h.Version.String() != "12345678901234567890" {
		t.Errorf("Head = %s", h.Version)
	}
	if h := (&Dir{}).Head(); h != nil {
		t.Errorf("empty Head = %+v", h)
	}
	if _, err := Load(nil); err == nil {
		t.Error("Load(nil) succeeded")
	}
}

// TestLoadRefusesHostileNames: names the history table or a terminal could
// not take whole are refused, quoted when they are not printable.
func TestLoadRefusesHostileNames(t *testing.T) {
	cases := map[string]string{
		"R__" + strings.Repeat("d", 300) + ".sql":   "307 bytes long",
		"0001_" + strings.Repeat("é", 126) + ".sql": "261 bytes long",
		"0002_a\nb.sql":         `"0002_a\nb.sql": the file name contains the control character U+000A`,
		"0003_\x1b[2Jclear.sql": `"0003_\x1b[2Jclear.sql": the file name contains the control character U+001B`,
		"0004_\u202egnp.sql":    "U+202E",
		"0005_\xff.sql":         `"0005_\xff.sql": the file name is not valid UTF-8`,
	}
	for name, msg := range cases {
		_, err := Load(mapFS(map[string]string{name: "SELECT 1;", "0009_ok.sql": "SELECT 1;"}))
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), msg) {
			t.Errorf("Load(%q) = %v, want a FileError with %q", name, err, msg)
		}
	}
	long := "0001_" + strings.Repeat("d", MaxNameBytes-9) + ".sql"
	if _, err := Load(mapFS(map[string]string{long: "SELECT 1;"})); err != nil {
		t.Errorf("a %d-byte name: %v", len(long), err)
	}
}

// TestLoadRefusesNUL: a NUL byte in a file is refused with its line, also
// past the first read buffer.
func TestLoadRefusesNUL(t *testing.T) {
	for content, line := range map[string]string{
		"SELECT 1;\nSELECT 'a\x00b';\n":                         "0001_nul.sql:2: a NUL byte (0x00 at byte offset 19)",
		strings.Repeat("-- x\n", 3*bufSize/5) + "SELECT 0;\x00": fmt.Sprintf("0001_nul.sql:%d: a NUL byte", 3*bufSize/5+1),
	} {
		_, err := Load(mapFS(map[string]string{"0001_nul.sql": content}))
		if err == nil || !strings.Contains(err.Error(), line) {
			t.Errorf("Load = %v, want %q", err, line)
		}
	}
}
