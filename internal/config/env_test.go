package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestEnvFromList(t *testing.T) {
	env := EnvFromList([]string{"A=1", "B=x=y", "C=", "A=2", "bogus"})
	if env["A"] != "2" || env["B"] != "x=y" {
		t.Errorf("env = %v", env)
	}
	if _, ok := env.Lookup("C"); ok {
		t.Error("empty variable counts as set")
	}
}

func TestEnvName(t *testing.T) {
	for in, want := range map[string]string{"lock-timeout": "STRATA_LOCK_TIMEOUT", "dir": "STRATA_DIR", "session-sql": "STRATA_SESSION_SQL"} {
		if got := EnvName(in); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", in, got, want)
		}
	}
}

func flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("dir", DefaultDir, "")
	fs.String("url", "", "")
	fs.Duration("lock-timeout", 15*time.Minute, "")
	fs.StringArray("session-sql", nil, "")
	fs.Bool("json", false, "")
	return fs
}

func TestApplyEnvPrecedence(t *testing.T) {
	env := Env{"STRATA_DIR": "from-env", "STRATA_LOCK_TIMEOUT": "30s", "STRATA_SESSION_SQL": "SET x = 1", "STRATA_JSON": "true", "STRATA_URL": "sqlite:nope"}

	// default < env
	fs := flags()
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := ApplyEnv(fs, env, "url"); err != nil {
		t.Fatal(err)
	}
	dir, _ := fs.GetString("dir")
	lt, _ := fs.GetDuration("lock-timeout")
	ss, _ := fs.GetStringArray("session-sql")
	js, _ := fs.GetBool("json")
	u, _ := fs.GetString("url")
	if dir != "from-env" || lt != 30*time.Second || len(ss) != 1 || ss[0] != "SET x = 1" || !js || u != "" {
		t.Errorf("dir %q lock-timeout %v session-sql %q json %v url %q", dir, lt, ss, js, u)
	}

	// env < flag
	fs = flags()
	if err := fs.Parse([]string{"--dir", "from-flag", "--lock-timeout=1m"}); err != nil {
		t.Fatal(err)
	}
	if err := ApplyEnv(fs, env, "url"); err != nil {
		t.Fatal(err)
	}
	dir, _ = fs.GetString("dir")
	lt, _ = fs.GetDuration("lock-timeout")
	if dir != "from-flag" || lt != time.Minute {
		t.Errorf("dir %q lock-timeout %v", dir, lt)
	}

	// default when neither
	fs = flags()
	_ = fs.Parse(nil)
	if err := ApplyEnv(fs, Env{}); err != nil {
		t.Fatal(err)
	}
	dir, _ = fs.GetString("dir")
	if dir != DefaultDir {
		t.Errorf("dir %q", dir)
	}
}

func TestApplyEnvBadValue(t *testing.T) {
	fs := flags()
	_ = fs.Parse(nil)
	err := ApplyEnv(fs, Env{"STRATA_LOCK_TIMEOUT": "forever"})
	if err == nil || !strings.Contains(err.Error(), "STRATA_LOCK_TIMEOUT") || !strings.Contains(err.Error(), "--lock-timeout") {
		t.Errorf("err = %v", err)
	}
}

func TestDatabaseURL(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "url")
	if err := os.WriteFile(file, []byte("postgres://u:pw@h/db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		flag      string
		flagSet   bool
		env       Env
		want, src string
		err       string
	}{
		{"default", "", false, Env{}, DefaultURL, "default", ""},
		{"flag beats env", "sqlite:flag.db", true, Env{"STRATA_DATABASE_URL": "sqlite:env.db"}, "sqlite:flag.db", "--url", ""},
		{"strata env", "", false, Env{"STRATA_DATABASE_URL": "sqlite:a.db", "DATABASE_URL": "sqlite:b.db"}, "sqlite:a.db", "STRATA_DATABASE_URL", ""},
		{"database url", "", false, Env{"DATABASE_URL": "sqlite:b.db"}, "sqlite:b.db", "DATABASE_URL", ""},
		{"strata file beats DATABASE_URL", "", false, Env{"STRATA_DATABASE_URL_FILE": file, "DATABASE_URL": "sqlite:b.db"}, "postgres://u:pw@h/db", "STRATA_DATABASE_URL_FILE", ""},
		{"database url file", "", false, Env{"DATABASE_URL_FILE": file}, "postgres://u:pw@h/db", "DATABASE_URL_FILE", ""},
		{"both", "", false, Env{"DATABASE_URL_FILE": file, "DATABASE_URL": "x"}, "", "", "both DATABASE_URL and DATABASE_URL_FILE"},
		{"missing file", "", false, Env{"DATABASE_URL_FILE": filepath.Join(dir, "nope")}, "", "", "DATABASE_URL_FILE"},
		{"empty flag", "", true, Env{}, "", "", "--url is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, src, err := DatabaseURL(tt.flag, tt.flagSet, tt.env, nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || src != tt.src {
				t.Errorf("got %q from %s, want %q from %s", got, src, tt.want, tt.src)
			}
		})
	}
	_, _, err := DatabaseURL("", false, Env{"DATABASE_URL_FILE": "x"}, func(string) ([]byte, error) { return nil, fs.ErrPermission })
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("err = %v, want it to wrap fs.ErrPermission", err)
	}
}
