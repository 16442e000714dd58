package testserver

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// PgBouncerBin is the PgBouncer binary: STRATA_TEST_PGBOUNCER, else
// pgbouncer on the PATH, else Debian's /usr/sbin/pgbouncer.
func PgBouncerBin() (string, error) {
	if p := os.Getenv("STRATA_TEST_PGBOUNCER"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	const debian = "/usr/sbin/pgbouncer"
	if _, err := os.Stat(debian); err != nil {
		return "", fmt.Errorf("no pgbouncer binary on the PATH or at %s: install it (apt-get install pgbouncer, or scripts/pgbouncer-install) or set STRATA_TEST_PGBOUNCER", debian)
	}
	return debian, nil
}

// PoolerOptions are the settings of a private PgBouncer.
type PoolerOptions struct {
	// Mode is the pool_mode: "transaction" (the default) or "session".
	Mode string
	// PoolSize is the default_pool_size: server connections per database
	// and user (default 4).
	PoolSize int
	// ServerLifetime closes a server connection this long after it was
	// opened, once it is released (server_lifetime; default one hour):
	// short, it makes PgBouncer hand out ever new server sessions.
	ServerLifetime time.Duration
}

// upstream is the shared PostgreSQL every PgBouncer points at, as
// testdb.Postgres reaches it.
func upstream() (*url.URL, error) {
	admin := os.Getenv("STRATA_TEST_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	return url.Parse(admin)
}

// PgBouncer starts a private PgBouncer in front of the shared local
// PostgreSQL for this test and stops it when the test ends. Its Database
// creates the database on the shared server (testdb.PostgresFresh) and returns
// its URL through the pooler; Direct gives the URL that bypasses it. The
// shared server is never reconfigured: PgBouncer is only a client of it.
func PgBouncer(t testing.TB, o PoolerOptions) *Server {
	t.Helper()
	s := StartPgBouncer(t, o)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("testserver: stop PgBouncer: %v", err)
		}
	})
	return s
}

// StartPgBouncer starts a private PgBouncer that the caller stops with
// Stop (for a Shared one). It skips the test when pgbouncer is missing
// (fails in CI) and fails it when PgBouncer does not start.
func StartPgBouncer(t testing.TB, o PoolerOptions) *Server {
	t.Helper()
	bin, err := PgBouncerBin()
	if err != nil {
		unavailable(t, "%v", err)
	}
	// PgBouncer refuses to run as root.
	own, err := lookupOwner("postgres")
	if err != nil {
		unavailable(t, "%v", err)
	}
	s, err := startPgBouncer(bin, own, o)
	if err != nil {
		t.Fatalf("testserver: private PgBouncer: %v", err)
	}
	return s
}

func startPgBouncer(bin string, own *owner, o PoolerOptions) (*Server, error) {
	if o.Mode == "" {
		o.Mode = "transaction"
	}
	if o.PoolSize == 0 {
		o.PoolSize = 4
	}
	if o.ServerLifetime <= 0 {
		o.ServerLifetime = time.Hour
	}
	up, err := upstream()
	if err != nil {
		return nil, err
	}
	upPort := up.Port()
	if upPort == "" {
		upPort = "5432"
	}
	user := up.User.Username()
	dir, err := newDir("strata-pgbouncer-", own)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, driver: "pgx", log: filepath.Join(dir, "pgbouncer.log"), stopSignal: syscall.SIGTERM}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, "userlist.txt"), []byte(strconv.Quote(user)+` ""`+"\n"), 0o600); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		s.Port, err = freePort()
		if err != nil {
			return nil, err
		}
		ini := fmt.Sprintf(`[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
admin_users = %s
pool_mode = %s
default_pool_size = %d
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits
server_login_retry = 1
server_lifetime = %d
pidfile = %s
`, up.Hostname(), upPort, s.Port, filepath.Join(dir, "userlist.txt"), user, o.Mode, o.PoolSize, max(1, int(o.ServerLifetime.Seconds())), filepath.Join(dir, "pgbouncer.pid"))
		if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o600); err != nil {
			return nil, err
		}
		if err := chownAll(dir, own); err != nil {
			return nil, err
		}
		s.URL = fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", user, s.Port)
		s.dsn = s.URL + "&connect_timeout=2"
		port := s.Port
		s.database = func(name string) (string, string) {
			u := fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, port, name)
			return u, u
		}
		s.upstream = up
		if err := s.start(bin, []string{filepath.Join(dir, "pgbouncer.ini")}, own); err != nil {
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

// pooledDatabase creates a database on the pooler's upstream server and
// returns it with its URL through the pooler. The database is the test's
// alone (testdb.PostgresFresh), not one from the pool reused between
// tests: a pooler may keep server connections to a database after its test
// ends, and the next user of a reused one must not meet them.
func (s *Server) pooledDatabase(t testing.TB) testdb.DB {
	t.Helper()
	direct := testdb.PostgresFresh(t)
	u, dsn := s.database(direct.Name)
	return testdb.DB{URL: u, DriverName: "pgx", DSN: dsn, Name: direct.Name}
}

// Direct returns the URL of db on the server behind the pooler, which
// bypasses it (for --direct-url). For a server that is no pooler it
// returns db.URL.
func (s *Server) Direct(db testdb.DB) string {
	if s.upstream == nil {
		return db.URL
	}
	u := *s.upstream
	u.Path = "/" + db.Name
	return u.String()
}
