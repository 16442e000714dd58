package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testcert"
	"github.com/strata-db/strata/internal/testserver"
)

// The private servers with TLS on that the TLS tests share: started by
// the first test that needs one, stopped by TestMain. The shared local
// servers are never reconfigured.
var (
	tlsPostgres = testserver.NewShared(func(t testing.TB) *testserver.Server {
		// 127.0.0.2 too: an address the certificate does not name.
		return testserver.StartPostgres(t, testserver.Options{TLS: true, Settings: map[string]string{"listen_addresses": "127.0.0.1,127.0.0.2"}})
	})
	tlsMariaDB = testserver.NewShared(func(t testing.TB) *testserver.Server {
		return testserver.StartMariaDB(t, testserver.Options{TLS: true, Settings: map[string]string{"bind-address": "127.0.0.1,127.0.0.2"}})
	})
)

// stopSharedServers stops the private servers the tests started.
func stopSharedServers() {
	for _, s := range []*testserver.Shared{tlsPostgres, tlsMariaDB, pgBouncer} {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping a private test server:", err)
		}
	}
}

// TestPostgresTLS: against a private PostgreSQL serving a certificate of
// a CA the test made, with sslmode=verify-full and that CA strata
// connects (by IP and by name; verify-full refuses an address the
// certificate does not name, verify-ca accepts it); with another CA it fails with a message about the TLS
// certificate and exit 6, and --wait gives up at once instead of
// retrying.
func TestPostgresTLS(t *testing.T) {
	t.Parallel()
	srv := tlsPostgres.Get(t)
	db := srv.Database(t)
	good := srv.TLS
	bad := testcert.Write(t, t.TempDir(), "bad")
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
	// The same server, reached by an address its certificate does not
	// carry: verify-full checks the name, verify-ca does not.
	other := strings.Replace(db.URL, "127.0.0.1", "127.0.0.2", 1)
	want(t, f.run(strings.Replace(other, "sslmode=disable", "sslmode=verify-full&sslrootcert="+good.CA, 1), "status"), 6, "TLS", "certificate", "127.0.0.2")
	want(t, f.run(strings.Replace(other, "sslmode=disable", "sslmode=verify-ca&sslrootcert="+good.CA, 1), "status"), 0, "applied")

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

// TestMySQLTLS: against a private MariaDB serving a certificate of a CA
// the test made, tls=verify-full&tls-ca=CA (by IP and by name),
// tls=verify-ca and tls=true with tls-ca connect and migrate; with
// another CA strata fails with exit 6 naming the TLS certificate, at once
// even with --wait, and an address the certificate does not carry fails
// verify-full (and passes verify-ca).
func TestMySQLTLS(t *testing.T) {
	t.Parallel()
	srv := tlsMariaDB.Get(t)
	db := srv.Database(t)
	good := srv.TLS
	bad := testcert.Write(t, t.TempDir(), "bad")
	f := newFolder(t)
	f.write("0001_t.sql", "CREATE TABLE tls_t (id int);\n")
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u := strings.Replace(db.URL, "127.0.0.1", host, 1)
		want(t, f.run(u+"?tls=verify-full&tls-ca="+good.CA, "up"), 0)
		want(t, f.run(u+"?tls=verify-full&tls-ca="+good.CA, "status"), 0, "applied")
	}
	for _, q := range []string{"tls=verify-ca&tls-ca=" + good.CA, "tls=true&tls-ca=" + good.CA} {
		want(t, f.run(db.URL+"?"+q, "status"), 0, "applied")
	}
	// The same server, reached by a name its certificate does not carry:
	// verify-full checks the name, verify-ca does not.
	other := strings.Replace(db.URL, "127.0.0.1", "127.0.0.2", 1)
	want(t, f.run(other+"?tls=verify-full&tls-ca="+good.CA, "status"), 6, "TLS", "certificate", "127.0.0.2")
	want(t, f.run(other+"?tls=verify-ca&tls-ca="+good.CA, "status"), 0, "applied")

	wrong := db.URL + "?tls=verify-full&tls-ca=" + bad.CA
	want(t, f.run(wrong, "status"), 6, "TLS", "certificate")
	start := time.Now()
	want(t, f.run(wrong, "status", "--wait", "60s"), 6, "certificate")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("--wait retried a certificate that cannot verify for %s", d)
	}
	want(t, f.run(wrong, "doctor"), 6, "fail  connect", "certificate")
}

// TestDoctorTLSVerified: on a verified TLS connection to each private
// server doctor's tls line is ok and its connect line too, and
// --require-verified-tls lets the URL through; the same server's
// plaintext URL is refused by --require-verified-tls before connecting.
func TestDoctorTLSVerified(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name            string
		shared          *testserver.Shared
		verified, plain func(url, ca string) string
	}{
		{"postgres", tlsPostgres,
			func(u, ca string) string {
				return strings.Replace(u, "sslmode=disable", "sslmode=verify-full&sslrootcert="+ca, 1)
			},
			func(u, _ string) string { return u }},
		{"mariadb", tlsMariaDB,
			func(u, ca string) string { return u + "?tls=verify-full&tls-ca=" + ca },
			func(u, _ string) string { return u }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := c.shared.Get(t)
			db := srv.Database(t)
			f := newFolder(t)
			f.write("0001_create_users.sql", createUsers)
			u := c.verified(db.URL, srv.TLS.CA)
			d := runDoctor(t, f, u, 0)
			wantDoctorCheck(t, d, "tls", "ok", "verified")
			wantDoctorCheck(t, d, "connect", "ok")
			want(t, f.run(u, "up", "--require-verified-tls"), 0)
			want(t, f.run(u, "status", "--require-verified-tls"), 0, "applied")
			r := f.run(c.plain(db.URL, ""), "status", "--require-verified-tls")
			want(t, r, 2, "--require-verified-tls")
			if strings.Contains(r.stderr, "cannot connect") {
				t.Errorf("connected before refusing:\n%s", r)
			}
		})
	}
}
