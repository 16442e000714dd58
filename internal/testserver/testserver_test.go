package testserver

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestServers: each private server starts with TLS and an extra setting
// the shared servers do not have (a preloaded library, performance_schema),
// serves a fresh database, and Stop ends its whole process group and
// removes its folder.
func TestServers(t *testing.T) {
	cases := []struct {
		name      string
		start     func(testing.TB, Options) *Server
		setting   map[string]string
		show, val string
		tlsQuery  string
	}{
		{"postgres", StartPostgres, map[string]string{"shared_preload_libraries": "pg_stat_statements"}, "SHOW shared_preload_libraries", "pg_stat_statements",
			"SELECT CASE WHEN ssl THEN 'on' ELSE 'off' END FROM pg_stat_ssl WHERE pid = pg_backend_pid()"},
		{"mariadb", StartMariaDB, map[string]string{"performance-schema": "ON"}, "SELECT @@performance_schema", "1",
			"SELECT IF(@@have_ssl = 'YES', 'on', 'off')"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.start(t, Options{TLS: true, Settings: c.setting})
			t.Cleanup(func() { s.Stop() })
			db := s.Database(t)
			conn := db.Open(t)
			var got string
			if err := conn.QueryRow(c.show).Scan(&got); err != nil || got != c.val {
				t.Errorf("%s = %q, %v; want %q", c.show, got, err, c.val)
			}
			if c.name == "postgres" {
				// The admin URL is plaintext; TLS is asked for here.
				tlsDB, err := sql.Open("pgx", s.URL[:len(s.URL)-len("disable")]+"require")
				if err != nil {
					t.Fatal(err)
				}
				defer tlsDB.Close()
				conn = tlsDB
			}
			if err := conn.QueryRow(c.tlsQuery).Scan(&got); err != nil || got != "on" {
				t.Errorf("TLS: %q, %v; want on", got, err)
			}
			if _, err := os.Stat(s.TLS.CA); err != nil {
				t.Errorf("CA file: %v", err)
			}
			conn.Close()
			pid := s.cmd.Process.Pid
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("process group %d still there after Stop: %v", pid, err)
			}
			if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
				t.Errorf("folder %s still there after Stop: %v", s.Dir, err)
			}
		})
	}
}

// TestMariaDBKeepsSharedTemporaryFiles: a MariaDB starting up (and
// mariadb-install-db's bootstrap) deletes every "#sql*" file in its tmpdir;
// a private server must not do that to /tmp, where the shared server keeps
// the temporary tables of the queries it is running.
func TestMariaDBKeepsSharedTemporaryFiles(t *testing.T) {
	t.Parallel()
	probe := filepath.Join(os.TempDir(), fmt.Sprintf("#sql-strata-probe-%d.MAI", os.Getpid()))
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(probe) })
	s := StartMariaDB(t, Options{})
	t.Cleanup(func() { s.Stop() })
	if _, err := os.Stat(probe); err != nil {
		t.Fatalf("starting a private MariaDB deleted a temporary file of the shared server's kind in %s: %v", os.TempDir(), err)
	}
}
