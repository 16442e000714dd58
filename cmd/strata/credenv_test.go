package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// envOf returns the KEY=VALUE lines `env` printed, by key.
func envOf(out string) map[string]string {
	vars := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k != "" && !strings.ContainsAny(k, " \t") {
			vars[k] = v
		}
	}
	return vars
}

// TestRunDropsCredentials: strata run and await start the application
// without strata's own credential variables (the migration user's URL and
// password), but with DATABASE_URL and everything else; with
// --keep-credentials-env (or its strata.toml key) they are passed on.
func TestRunDropsCredentials(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	secrets := t.TempDir()
	urlFile := filepath.Join(secrets, "url")
	pwFile := filepath.Join(secrets, "pw")
	if err := os.WriteFile(urlFile, []byte(db.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pwFile, []byte("migration-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"DATABASE_URL=postgres://app@db.example/app", "APP_SETTING=kept"}
	cases := []struct {
		name string
		env  []string
	}{
		{"url-and-password", []string{"STRATA_DATABASE_URL=" + db.URL, "STRATA_DB_PASSWORD=migration-secret"}},
		{"files", []string{"STRATA_DATABASE_URL_FILE=" + urlFile, "STRATA_PASSWORD_FILE=" + pwFile}},
		{"command", []string{"STRATA_DATABASE_URL=" + db.URL, "STRATA_PASSWORD_COMMAND=cat " + pwFile}},
	}
	for _, c := range cases {
		env := append(append([]string{}, common...), c.env...)
		for _, cmd := range [][]string{{"run"}, {"await", "--timeout", "30s"}} {
			for _, keep := range []bool{false, true} {
				args := append(append([]string{}, cmd...), "--dir", f.dir)
				if keep {
					args = append(args, "--keep-credentials-env")
				}
				r := strataEnv(t, f.wd, env, append(args, "--", "env")...)
				want(t, r, 0)
				got := envOf(r.stdout)
				for _, kv := range c.env {
					k, v, _ := strings.Cut(kv, "=")
					if have, ok := got[k]; ok != keep || keep && have != v {
						t.Errorf("%s, strata %s (keep %v): the application's %s = %q (set: %v)\n%s", c.name, cmd[0], keep, k, have, ok, r)
					}
				}
				for _, kv := range common {
					k, v, _ := strings.Cut(kv, "=")
					if got[k] != v {
						t.Errorf("%s, strata %s: the application lost %s (got %q)", c.name, cmd[0], k, got[k])
					}
				}
				if !keep && strings.Contains(r.stdout, "migration-secret") {
					t.Errorf("%s, strata %s: the password reached the application:\n%s", c.name, cmd[0], r)
				}
			}
		}
	}
	// The setting also comes from strata.toml.
	if err := os.WriteFile(filepath.Join(f.wd, "strata.toml"), []byte("keep-credentials-env = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := strataEnv(t, f.wd, cases[0].env, "run", "--dir", f.dir, "--", "env")
	want(t, r, 0)
	if envOf(r.stdout)["STRATA_DB_PASSWORD"] != "migration-secret" {
		t.Errorf("keep-credentials-env = true in strata.toml did not keep the password:\n%s", r)
	}
}
