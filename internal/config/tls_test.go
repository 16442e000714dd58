package config

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testcert"
)

// TestMySQLTLS: tls=verify-full&tls-ca=... becomes a *tls.Config that
// checks the server's name and chain, set on the connection's own
// configuration; a TLS handshake against a server with that CA succeeds,
// and one against another CA fails.
func TestMySQLTLS(t *testing.T) {
	dir := t.TempDir()
	good := testcert.Write(t, dir, "good")
	bad := testcert.Write(t, dir, "bad")
	tg, err := Parse("mysql://app:pw@127.0.0.1:3306/db?tls=verify-full&tls-ca=" + good.CA + "&tls-cert=" + good.Cert + "&tls-key=" + good.Key)
	if err != nil {
		t.Fatal(err)
	}
	c := tg.my.TLS
	if c == nil || c.ServerName != "127.0.0.1" || c.RootCAs == nil || c.InsecureSkipVerify || len(c.Certificates) != 1 {
		t.Fatalf("tls config = %+v", c)
	}
	if tg.my.TLSConfig != "" {
		t.Errorf("TLSConfig = %q: a name would go through the driver's global registry", tg.my.TLSConfig)
	}
	if err := handshake(t, good, c); err != nil {
		t.Errorf("good CA: %v", err)
	}
	other, _ := Parse("mysql://app:pw@127.0.0.1:3306/db?tls=verify-full&tls-ca=" + bad.CA)
	if err := handshake(t, good, other.my.TLS); err == nil {
		t.Error("wrong CA: handshake succeeded")
	}
	wrongName, _ := Parse("mysql://app:pw@db.example:3306/db?tls=verify-full&tls-ca=" + good.CA)
	if err := handshake(t, good, wrongName.my.TLS); err == nil {
		t.Error("wrong host name: handshake succeeded under verify-full")
	}
	caOnly, _ := Parse("mysql://app:pw@db.example:3306/db?tls=verify-ca&tls-ca=" + good.CA)
	if err := handshake(t, good, caOnly.my.TLS); err != nil {
		t.Errorf("verify-ca ignores the name: %v", err)
	}
	if err := handshake(t, good, func() *tls.Config {
		x, _ := Parse("mysql://a@db.example/db?tls=verify-ca&tls-ca=" + bad.CA)
		return x.my.TLS
	}()); err == nil {
		t.Error("verify-ca with the wrong CA: handshake succeeded")
	}

	for raw, want := range map[string]string{
		"mysql://a:pw@h/db?tls=true":                              "",
		"mysql://a:pw@h/db?tls-ca=/x":                             "need tls=verify-full",
		"mysql://a:pw@h/db?tls=skip-verify&tls-ca=/x":             "use tls=verify-full",
		"mysql://a:pw@h/db?tls=maybe":                             "not a TLS mode",
		"mysql://a:pw@h/db?tls=verify-full&tls-ca=/nope/ca.pem":   "read tls-ca",
		"mysql://a:pw@h/db?tls=verify-full&tls-cert=" + good.Cert: "go together",
	} {
		_, err := Parse(raw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: err = %v, want %q", raw, err, want)
		}
	}
}

// handshake runs a TLS handshake between a server with f's certificate and
// a client with c.
func handshake(t *testing.T, f testcert.Files, c *tls.Config) error {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		s := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{pair}})
		_ = s.Handshake()
		s.Close()
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return tls.Client(conn, c).Handshake()
}
