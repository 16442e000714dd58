package config

import (
	"strings"
	"testing"
)

// TestTLSState reads every PostgreSQL sslmode and MySQL tls mode: which
// verify the server's certificate, what the others miss, and which hosts
// are local; RequireVerifiedTLS names the parameter to add.
func TestTLSState(t *testing.T) {
	t.Setenv("PGSSLMODE", "")
	cases := []struct {
		url      string
		verified bool
		local    bool
		mode     string
		missing  string
	}{
		{"postgres://u@db.example/app", false, false, "sslmode=prefer (the default", "falls back to plaintext"},
		{"postgres://u@127.0.0.1/app?sslmode=disable", false, true, "sslmode=disable", "nothing is encrypted"},
		{"postgres://u@localhost/app?sslmode=allow", false, true, "sslmode=allow", "plaintext first"},
		{"postgres://u@db.example/app?sslmode=prefer", false, false, "sslmode=prefer", "never checks its certificate"},
		{"postgres://u@db.example/app?sslmode=require", false, false, "sslmode=require", "never checks the server's certificate"},
		{"postgres://u@db.example/app?sslmode=verify-ca", true, false, "sslmode=verify-ca", ""},
		{"postgres://u@db.example/app?sslmode=verify-full", true, false, "sslmode=verify-full", ""},
		{"postgres://u@[::1]/app?sslmode=require", false, true, "sslmode=require", "never checks"},
		{"mysql://u@db.example/app", false, false, "tls not set", "nothing is encrypted"},
		{"mysql://u@127.0.0.1/app?tls=false", false, true, "tls=false", "nothing is encrypted"},
		{"mysql://u@db.example/app?tls=skip-verify", false, false, "tls=skip-verify", "never checks"},
		{"mysql://u@db.example/app?tls=preferred", false, false, "tls=preferred", "falls back to plaintext"},
		{"mysql://u@db.example/app?tls=true", true, false, "tls=true", ""},
		{"mysql://u@db.example/app?socket=/run/mysqld.sock", false, true, "tls not set", "plaintext"},
	}
	for _, c := range cases {
		tg, err := Parse(c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		s, ok := tg.TLS()
		if !ok || s.Verified != c.verified || s.Local != c.local || !strings.Contains(s.Mode, c.mode) || !strings.Contains(s.Missing, c.missing) {
			t.Errorf("%s: %+v (ok %v)", c.url, s, ok)
		}
		err = tg.RequireVerifiedTLS()
		if c.verified != (err == nil) {
			t.Errorf("%s: RequireVerifiedTLS: %v", c.url, err)
		}
		if err != nil && !strings.Contains(err.Error(), s.Fix) {
			t.Errorf("%s: %v does not name %s", c.url, err, s.Fix)
		}
	}
	lite, _ := Parse("sqlite:app.db")
	if _, ok := lite.TLS(); ok || lite.RequireVerifiedTLS() != nil {
		t.Error("SQLite has a TLS state")
	}
}
