package testserver

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"

	"github.com/strata-db/strata/internal/testcert"
)

// PostgresBin is the folder of the PostgreSQL 15 server binaries
// (initdb, postgres); STRATA_TEST_PG_BIN overrides it.
func PostgresBin() string {
	if d := os.Getenv("STRATA_TEST_PG_BIN"); d != "" {
		return d
	}
	return "/usr/lib/postgresql/15/bin"
}

// Postgres starts a private PostgreSQL server for this test and stops it,
// removing its folder, when the test ends.
func Postgres(t testing.TB, o Options) *Server {
	t.Helper()
	s := StartPostgres(t, o)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("testserver: stop PostgreSQL: %v", err)
		}
	})
	return s
}

// StartPostgres starts a private PostgreSQL server that the caller stops
// with Stop (for a Shared server). It skips the test when the binaries
// are missing (fails in CI) and fails it when the server does not start.
func StartPostgres(t testing.TB, o Options) *Server {
	t.Helper()
	bin := PostgresBin()
	for _, name := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			unavailable(t, "no PostgreSQL server binaries (%v); install postgresql-15 or set STRATA_TEST_PG_BIN", err)
		}
	}
	own, err := lookupOwner("postgres")
	if err != nil {
		unavailable(t, "%v", err)
	}
	s, err := startPostgres(t, bin, own, o)
	if err != nil {
		t.Fatalf("testserver: private PostgreSQL: %v", err)
	}
	return s
}

func startPostgres(t testing.TB, bin string, own *owner, o Options) (*Server, error) {
	dir, err := newDir("strata-pg-", own)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, driver: "pgx", log: filepath.Join(dir, "server.log"), stopSignal: syscall.SIGINT}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	data := filepath.Join(dir, "data")
	if err := run(filepath.Join(bin, "initdb"), []string{"-D", data, "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"}, dir, own); err != nil {
		return nil, err
	}
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": dir,
		"fsync":                   "off",
		"synchronous_commit":      "off",
		"full_page_writes":        "off",
		"max_connections":         "100",
		"shared_buffers":          "16MB",
	}
	if o.TLS {
		s.TLS = testcert.Write(t, dir, "server")
		settings["ssl"] = "on"
		settings["ssl_cert_file"] = s.TLS.Cert
		settings["ssl_key_file"] = s.TLS.Key
	}
	for k, v := range o.Settings {
		settings[k] = v
	}
	if err := chownAll(dir, own); err != nil {
		return nil, err
	}
	// A port taken between freePort and the server's bind fails the
	// start: try a few.
	for attempt := 0; ; attempt++ {
		s.Port, err = freePort()
		if err != nil {
			return nil, err
		}
		settings["port"] = strconv.Itoa(s.Port)
		args := []string{"-D", data}
		keys := make([]string, 0, len(settings))
		for k := range settings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			args = append(args, "-c", k+"="+settings[k])
		}
		s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
		s.dsn = s.URL + "&connect_timeout=2"
		s.database = func(name string) (string, string) {
			u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, name)
			return u, u
		}
		if err := s.start(filepath.Join(bin, "postgres"), args, own); err != nil {
			return nil, err
		}
		err = s.wait()
		if err == nil {
			ok = true
			return s, nil
		}
		if attempt == 2 || !portTaken(s.Logs()) {
			return nil, err
		}
		s.stopProcess()
	}
}
