package main

import (
	"database/sql"
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testcert"
	"github.com/strata-db/strata/internal/testdb"
)

// pgTLS points the local PostgreSQL server at a server certificate signed
// by a CA the test creates, and restores its settings when the test ends.
// It needs to make the key readable by the postgres OS user (root, or
// running as postgres); elsewhere it skips, except in CI.
func pgTLS(t *testing.T, db testdb.DB) (good, bad testcert.Files) {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, so this fails instead of skipping: "+format, args...)
		}
		t.Skipf("skipping the PostgreSQL TLS test: "+format, args...)
	}
	pgUser, err := user.Lookup("postgres")
	if err != nil {
		skip("no postgres OS user to own the server key: %v", err)
	}
	dir, err := os.MkdirTemp("", "strata-tls-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	good = testcert.Write(t, dir, "good")
	bad = testcert.Write(t, dir, "bad")
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	if err := os.Chown(good.Key, uid, gid); err != nil {
		skip("cannot give the server key to the postgres user (run as root): %v", err)
	}
	admin := db.Open(t)
	var super bool
	if err := admin.QueryRow("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || !super {
		skip("the test connection is not a superuser (%v)", err)
	}
	t.Cleanup(func() {
		for _, s := range []string{"ALTER SYSTEM RESET ssl_cert_file", "ALTER SYSTEM RESET ssl_key_file", "ALTER SYSTEM RESET ssl", "SELECT pg_reload_conf()"} {
			if _, err := admin.Exec(s); err != nil {
				t.Errorf("restore PostgreSQL TLS settings: %s: %v", s, err)
			}
		}
	})
	for _, s := range []string{
		"ALTER SYSTEM SET ssl_cert_file = '" + good.Cert + "'",
		"ALTER SYSTEM SET ssl_key_file = '" + good.Key + "'",
		"ALTER SYSTEM SET ssl = on",
		"SELECT pg_reload_conf()",
	} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// The reload is asynchronous: wait until a verified connection works.
	probe := strings.Replace(db.URL, "sslmode=disable", "sslmode=verify-full&sslrootcert="+good.CA, 1)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := sql.Open("pgx", probe)
		if err == nil {
			err = c.Ping()
			c.Close()
		}
		if err == nil {
			return good, bad
		}
		if time.Now().After(deadline) {
			t.Fatalf("PostgreSQL does not serve the test certificate after reload: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPostgresTLS: with sslmode=verify-full and the CA that signed the
// server's certificate strata connects; with another CA it fails with a
// message about the TLS certificate and exit 6, and --wait gives up at
// once instead of retrying.
func TestPostgresTLS(t *testing.T) {
	db := testdb.Postgres(t)
	good, bad := pgTLS(t, db)
	f := newFolder(t)
	f.write("0001_t.sql", "CREATE TABLE tls_t (id int);\n")
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u := strings.Replace(db.URL, "127.0.0.1", host, 1)
		ok := strings.Replace(u, "sslmode=disable", "sslmode=verify-full&sslrootcert="+good.CA, 1)
		want(t, f.run(ok, "up"), 0)
		want(t, f.run(ok, "status"), 0, "applied")
	}
	verifyCA := strings.Replace(db.URL, "sslmode=disable", "sslmode=verify-ca&sslrootcert="+good.CA, 1)
	want(t, f.run(verifyCA, "status"), 0)

	wrong := strings.Replace(db.URL, "sslmode=disable", "sslmode=verify-full&sslrootcert="+bad.CA, 1)
	r := f.run(wrong, "status")
	want(t, r, 6, "TLS", "certificate")
	start := time.Now()
	r = f.run(wrong, "status", "--wait", "60s")
	want(t, r, 6, "certificate")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("--wait retried a certificate that cannot verify for %s", d)
	}
	r = f.run(wrong, "doctor")
	want(t, r, 6, "fail  connect", "certificate")
}
