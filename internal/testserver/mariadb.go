package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/strata-db/strata/internal/testcert"
)

// MariaDB starts a private MariaDB server for this test and stops it,
// removing its folder, when the test ends.
func MariaDB(t testing.TB, o Options) *Server {
	t.Helper()
	s := StartMariaDB(t, o)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("testserver: stop MariaDB: %v", err)
		}
	})
	return s
}

// StartMariaDB starts a private MariaDB server that the caller stops with
// Stop (for a Shared server): root without a password on 127.0.0.1. It
// skips the test when the binaries are missing (fails in CI) and fails it
// when the server does not start.
func StartMariaDB(t testing.TB, o Options) *Server {
	t.Helper()
	var bins [2]string
	for i, name := range []string{"mariadb-install-db", "mariadbd"} {
		p, err := exec.LookPath(name)
		if err != nil {
			p, err = exec.LookPath(filepath.Join("/usr/sbin", name))
		}
		if err != nil {
			unavailable(t, "no MariaDB server binaries (%v); install mariadb-server", err)
		}
		bins[i] = p
	}
	s, err := startMariaDB(t, bins[0], bins[1], o)
	if err != nil {
		t.Fatalf("testserver: private MariaDB: %v", err)
	}
	return s
}

func startMariaDB(t testing.TB, installDB, mariadbd string, o Options) (*Server, error) {
	dir, err := newDir("strata-my-", nil)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, driver: "mysql", log: filepath.Join(dir, "server.log"), stopSignal: syscall.SIGTERM}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	data := filepath.Join(dir, "data")
	settings := map[string]string{
		"datadir":                        data,
		"socket":                         filepath.Join(dir, "mysqld.sock"),
		"pid-file":                       filepath.Join(dir, "mysqld.pid"),
		"tmpdir":                         dir,
		"bind-address":                   "127.0.0.1",
		"innodb-buffer-pool-size":        "32M",
		"innodb-log-file-size":           "8M",
		"innodb-flush-log-at-trx-commit": "0",
		"innodb-doublewrite":             "0",
		"skip-name-resolve":              "",
		"log-error":                      filepath.Join(dir, "error.log"),
	}
	if os.Geteuid() == 0 {
		settings["user"] = "root"
	}
	// --tmpdir for the bootstrap too: a server starting up deletes every
	// "#sql*" file in its tmpdir, and the default, /tmp, holds the shared
	// server's in-use temporary tables (its queries on information_schema
	// then fail with "Error on delete of '/tmp/#sql-temptable-…'").
	install := []string{"--no-defaults", "--datadir=" + data, "--tmpdir=" + dir, "--auth-root-authentication-method=normal", "--skip-test-db",
		"--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"}
	if os.Geteuid() == 0 {
		install = append(install, "--user=root")
	}
	if err := run(installDB, install, dir, nil); err != nil {
		return nil, err
	}
	if o.TLS {
		s.TLS = testcert.Write(t, dir, "server")
		settings["ssl-cert"] = s.TLS.Cert
		settings["ssl-key"] = s.TLS.Key
		settings["ssl-ca"] = s.TLS.CA
	}
	for k, v := range o.Settings {
		settings[k] = v
	}
	for attempt := 0; ; attempt++ {
		s.Port, err = freePort()
		if err != nil {
			return nil, err
		}
		settings["port"] = strconv.Itoa(s.Port)
		keys := make([]string, 0, len(settings))
		for k := range settings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		args := []string{"--no-defaults"}
		for _, k := range keys {
			if settings[k] == "" {
				args = append(args, "--"+k)
			} else {
				args = append(args, "--"+k+"="+settings[k])
			}
		}
		addr := fmt.Sprintf("127.0.0.1:%d", s.Port)
		s.URL = "mysql://root@" + addr + "/"
		cfg := mysql.NewConfig()
		cfg.User, cfg.Net, cfg.Addr = "root", "tcp", addr
		s.dsn = cfg.FormatDSN()
		s.database = func(name string) (string, string) {
			c := cfg.Clone()
			c.DBName = name
			// As the CLI opens MySQL (internal/config).
			c.ParseTime, c.InterpolateParams, c.MultiStatements = true, true, true
			return "mysql://root@" + addr + "/" + name, c.FormatDSN()
		}
		if err := s.start(mariadbd, args, nil); err != nil {
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
