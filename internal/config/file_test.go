package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var knownKeys = []string{"url", "dir", "table", "lock-timeout", "session-sql", "json"}

func TestParseFile(t *testing.T) {
	f, err := ParseFile("strata.toml", []byte(`# comment
url = "postgres://app@db/app"
dir = "db/migrations"
"lock-timeout" = "30s"
session-sql = ["SET lock_timeout = '5s'", "SET statement_timeout = 0"]
json = true
`), knownKeys)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Values["session-sql"]; len(got) != 2 || got[1] != "SET statement_timeout = 0" {
		t.Errorf("session-sql = %q", got)
	}
	if f.Values["json"][0] != "true" || f.Values["lock-timeout"][0] != "30s" {
		t.Errorf("values = %v", f.Values)
	}
	if f.Where("dir") != "strata.toml:3" || f.Where("lock-timeout") != "strata.toml:4" {
		t.Errorf("lines = %v", f.Lines)
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, tt := range []struct{ toml, want string }{
		{"dir = \"x\"\ndri = \"y\"\n", `strata.toml:2: unknown key "dri": did you mean "dir"?`},
		{"lock_timeout = \"3s\"\n", `strata.toml:1: unknown key "lock_timeout": did you mean "lock-timeout"?`},
		{"sesion-sql = []\n", `strata.toml:1: unknown key "sesion-sql": did you mean "session-sql"?`},
		{"colour = true\n", `strata.toml:1: unknown key "colour": use one of the known keys (the global flags' names): url, dir, table, lock-timeout, session-sql, json`},
		{"password = \"hunter2\"\n", `strata.toml:1: unknown key "password"`},
		{"[up]\nto = 3\n", `strata.toml:1: unknown key "up"`},
		{"dir = [\"a\", {x = 1}]\n", `strata.toml:1: key "dir": an array may hold only`},
		{"dir = \n", "strata.toml:1:"},
		{"dir = 1979-05-27\n", `key "dir": a toml.LocalDate value is not supported`},
	} {
		_, err := ParseFile("strata.toml", []byte(tt.toml), knownKeys)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.toml, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error shows the value: %v", tt.toml, err)
		}
	}
}

func TestFindFile(t *testing.T) {
	t.Chdir(t.TempDir())
	if f, err := FindFile("", "", knownKeys); f != nil || err != nil {
		t.Fatalf("no strata.toml: %v, %v", f, err)
	}
	if _, err := FindFile("", "other.toml", knownKeys); err == nil || !strings.Contains(err.Error(), "other.toml does not exist") {
		t.Errorf("missing --config: %v", err)
	}
	if err := os.WriteFile(DefaultFile, []byte("dir = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := FindFile("", "", knownKeys)
	if err != nil || f.Path != DefaultFile || f.Values["dir"][0] != "x" {
		t.Fatalf("strata.toml: %+v, %v", f, err)
	}
}

// TestApplyPrecedence: flag > env > config file > default, with sources.
func TestApplyPrecedence(t *testing.T) {
	file, err := ParseFile(filepath.Join("conf", "strata.toml"), []byte("dir = \"from-file\"\ntable = \"t_file\"\nlock-timeout = \"1m\"\nsession-sql = [\"SET a = 1\", \"SET b = 2\"]\nurl = \"sqlite:file.db\"\n"), knownKeys)
	if err != nil {
		t.Fatal(err)
	}
	fs := flags()
	fs.String("table", "t_default", "")
	if err := fs.Parse([]string{"--lock-timeout", "5s"}); err != nil {
		t.Fatal(err)
	}
	env := Env{"STRATA_TABLE": "t_env"}
	src, err := Apply(fs, env, file, "url")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := fs.GetString("dir")
	table, _ := fs.GetString("table")
	lt, _ := fs.GetDuration("lock-timeout")
	ss, _ := fs.GetStringArray("session-sql")
	js, _ := fs.GetBool("json")
	if dir != "from-file" || table != "t_env" || lt != 5*time.Second || len(ss) != 2 || js {
		t.Errorf("dir %q table %q lock-timeout %v session-sql %q json %v", dir, table, lt, ss, js)
	}
	want := map[string]string{
		"dir":          "config file " + filepath.Join("conf", "strata.toml") + ":1",
		"table":        "env STRATA_TABLE",
		"lock-timeout": "flag --lock-timeout",
		"json":         "default",
	}
	for k, w := range want {
		if got := src[k].String(); got != w {
			t.Errorf("source of %s = %q, want %q", k, got, w)
		}
	}
	if _, ok := src["url"]; ok {
		t.Error("url was resolved by Apply; it is skipped")
	}

	u, s, err := ResolveURL("", false, Env{}, file, nil)
	if err != nil || u != "sqlite:file.db" || s.Kind != FromFile {
		t.Errorf("ResolveURL with file = %q, %v, %v", u, s, err)
	}
	u, s, _ = ResolveURL("", false, Env{"DATABASE_URL": "sqlite:env.db"}, file, nil)
	if u != "sqlite:env.db" || s.String() != "env DATABASE_URL" {
		t.Errorf("env beats file: %q, %v", u, s)
	}
	u, s, _ = ResolveURL("sqlite:flag.db", true, Env{"DATABASE_URL": "sqlite:env.db"}, file, nil)
	if u != "sqlite:flag.db" || s.Kind != FromFlag {
		t.Errorf("flag beats env: %q, %v", u, s)
	}

	fs = flags()
	_ = fs.Parse(nil)
	if _, err := Apply(fs, Env{}, &File{Path: "s.toml", Values: map[string][]string{"lock-timeout": {"soon"}}, Lines: map[string]int{"lock-timeout": 7}}); err == nil || !strings.Contains(err.Error(), "s.toml:7") {
		t.Errorf("bad value: %v", err)
	}
}
