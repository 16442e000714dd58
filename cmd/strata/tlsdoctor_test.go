package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testcert"
	"github.com/strata-db/strata/internal/testdb"
)

// TestDoctorTLS: doctor reports on its own line every connection that is
// not verified TLS, naming the mode and what it does not check (a warning
// for another host, a note for a loopback one), and --require-verified-tls
// refuses such URLs before connecting, with exit 2 and the parameter to
// add.
func TestDoctorTLS(t *testing.T) {
	t.Parallel()
	pg := testdb.Postgres(t)
	my := testdb.MySQL(t)
	ca := testcert.Write(t, t.TempDir(), "ca").CA
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	noSSL := strings.Replace(strings.Replace(pg.URL, "sslmode=disable&", "", 1), "?sslmode=disable", "", 1)
	if strings.Contains(noSSL, "sslmode") {
		t.Fatalf("cannot remove sslmode from %s", pg.URL)
	}
	pgWith := func(mode string) string { return strings.Replace(pg.URL, "sslmode=disable", mode, 1) }
	cases := []struct {
		name, url string
		code      int
		status    string
		detail    []string
		hint      string
	}{
		{"postgres disable", pg.URL, 0, "note", []string{"sslmode=disable: plaintext: nothing is encrypted", "loopback"}, "sslmode=verify-full"},
		{"postgres default", noSSL, 0, "note", []string{"sslmode=prefer (the default", "never checks its certificate", "falls back to plaintext"}, "sslmode=verify-full"},
		{"postgres prefer", pgWith("sslmode=prefer"), 0, "note", []string{"sslmode=prefer", "falls back to plaintext"}, "sslmode=verify-full"},
		{"postgres allow", pgWith("sslmode=allow"), 0, "note", []string{"sslmode=allow", "plaintext first"}, "sslmode=verify-full"},
		{"postgres require, remote", "postgres://u@192.0.2.1:5432/db?sslmode=require&connect_timeout=1", 6, "warn", []string{"sslmode=require", "never checks the server's certificate"}, "sslmode=verify-full"},
		{"postgres verify-full", "postgres://u@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=" + ca + "&connect_timeout=1", 6, "ok", []string{"verified"}, ""},
		{"postgres verify-ca", "postgres://u@127.0.0.1:1/db?sslmode=verify-ca&sslrootcert=" + ca + "&connect_timeout=1", 6, "ok", []string{"verified"}, ""},
		{"mysql without tls", my.URL, 0, "note", []string{"tls not set (the default: plaintext)"}, "tls=verify-full"},
		{"mysql without tls, remote", "mysql://u@192.0.2.1:3306/db?timeout=1s", 6, "warn", []string{"tls not set", "plaintext"}, "tls=verify-full"},
		{"mysql skip-verify", "mysql://u@192.0.2.1:3306/db?tls=skip-verify&timeout=1s", 6, "warn", []string{"tls=skip-verify", "never checks"}, "tls=verify-full"},
		{"mysql true", "mysql://u@127.0.0.1:1/db?tls=true&timeout=1s", 6, "ok", []string{"verified"}, ""},
	}
	for _, c := range cases {
		d := runDoctor(t, f, c.url, c.code)
		wantDoctorCheck(t, d, "tls", c.status, c.detail...)
		for _, ch := range d.Checks {
			if ch.Name == "tls" && !strings.Contains(ch.Hint, c.hint) {
				t.Errorf("%s: hint %q lacks %q", c.name, ch.Hint, c.hint)
			}
		}
		// --require-verified-tls refuses the unverified ones before
		// connecting, and lets the verified ones through to connect.
		r := f.run(c.url, "status", "--require-verified-tls")
		if c.status == "ok" {
			if r.code != 6 {
				t.Errorf("%s: --require-verified-tls: want exit 6 (it connects and fails), got %s", c.name, r)
			}
			continue
		}
		want(t, r, 2, "--require-verified-tls", c.hint)
		if strings.Contains(r.stderr, "cannot connect") {
			t.Errorf("%s: connected before refusing:\n%s", c.name, r)
		}
	}
	// The text output has the line; SQLite has none; the setting also
	// comes from the environment.
	want(t, f.run(pg.URL, "doctor"), 0, "note  tls ", "sslmode=disable")
	// doctor never creates a SQLite file: give it one.
	if err := os.WriteFile(filepath.Join(f.wd, "app.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := f.run("sqlite:app.db", "doctor"); r.code != 0 || strings.Contains(r.stdout, "tls") {
		t.Errorf("doctor on SQLite:\n%s", r)
	}
	want(t, strataEnv(t, f.wd, []string{"STRATA_REQUIRE_VERIFIED_TLS=true"}, "status", "--url", my.URL, "--dir", f.dir), 2, "tls=verify-full")
}
