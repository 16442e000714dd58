package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestPasswordCommandTrust: a password-command in a strata.toml found in
// the working folder never runs for lint or SQLite, is refused on a
// server URL with how to trust it, and runs with --config or
// STRATA_TRUST_CONFIG_COMMANDS=1, only when the URL has no password.
func TestPasswordCommandTrust(t *testing.T) {
	t.Parallel()
	pg := testdb.Postgres(t)
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	mark := filepath.Join(t.TempDir(), "ran")
	toml := "password-command = \"touch " + mark + "; echo secret\"\n"
	if err := os.WriteFile(filepath.Join(f.wd, "strata.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	ran := func() bool {
		_, err := os.Stat(mark)
		os.Remove(mark)
		return err == nil
	}
	withPW, err := url.Parse(pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	withPW.User = url.UserPassword(withPW.User.Username(), "in-the-url")
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		run  bool
		out  []string
	}{
		{"lint all", nil, []string{"lint", "--all", "--dialect", "postgres"}, 0, false, nil},
		// up first: read-only commands never create a SQLite file.
		{"up on sqlite", nil, []string{"up", "--url", "sqlite:app.db"}, 0, false, nil},
		{"lint pending on sqlite", nil, []string{"lint", "--url", "sqlite:app.db"}, 0, false, nil},
		{"status on sqlite", nil, []string{"status", "--url", "sqlite:app.db"}, 0, false, nil},
		{"status on postgres, implicit file", nil, []string{"status", "--url", pg.URL}, 2, false,
			[]string{"strata.toml:1 sets password-command", "--config strata.toml", "STRATA_TRUST_CONFIG_COMMANDS=1"}},
		{"lint pending on postgres, implicit file", nil, []string{"lint", "--url", pg.URL}, 2, false, []string{"--config strata.toml"}},
		{"url with a password", nil, []string{"status", "--url", withPW.String()}, 0, false, nil},
		{"--config", nil, []string{"status", "--url", pg.URL, "--config", "strata.toml"}, 0, true, nil},
		{"STRATA_CONFIG", []string{"STRATA_CONFIG=strata.toml"}, []string{"status", "--url", pg.URL}, 0, true, nil},
		{"trusted by env", []string{"STRATA_TRUST_CONFIG_COMMANDS=1"}, []string{"status", "--url", pg.URL}, 0, true, nil},
	}
	for _, c := range cases {
		r := strataEnv(t, f.wd, c.env, append(c.args, "--dir", f.dir)...)
		if r.code != c.code {
			t.Errorf("%s: want exit %d, got %s", c.name, c.code, r)
		}
		if got := ran(); got != c.run {
			t.Errorf("%s: password-command ran: %v, want %v\n%s", c.name, got, c.run, r)
		}
		for _, s := range c.out {
			if !strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, s, r)
			}
		}
	}
}
