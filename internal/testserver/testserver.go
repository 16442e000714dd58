// Package testserver starts private PostgreSQL and MariaDB servers for
// tests that need server settings the shared local servers do not have
// (TLS, preloaded libraries, ...): each lives in its own temporary folder,
// listens on a free port of 127.0.0.1 and on a socket in that folder, and
// is stopped (its whole process group) and removed when the test ends, or
// when the test binary ends for a Shared one. Tests never reconfigure the
// shared servers.
//
// PostgreSQL refuses to run as root, so as root the server runs as the
// postgres OS user; MariaDB runs as the current user (--user=root as
// root). When the server binaries are missing a test is skipped, saying
// so, except when CI is set, where it fails.
package testserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testcert"
	"github.com/strata-db/strata/internal/testdb"
)

// Options are the settings of a private server.
type Options struct {
	// TLS makes the server offer TLS with a certificate for 127.0.0.1 and
	// localhost signed by a CA made for it (Server.TLS).
	TLS bool
	// Settings are extra server settings, name to value: passed as
	// -c name=value to postgres and as --name=value to mariadbd (for
	// example "shared_preload_libraries": "pg_stat_statements").
	Settings map[string]string
}

// Server is a running private server.
type Server struct {
	// Dir is the temporary folder holding the data, socket, log and
	// certificates; it is removed by Stop.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// URL is the strata URL of the administrator connection, without
	// TLS (postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable,
	// mysql://root@127.0.0.1:PORT/).
	URL string
	// TLS are the CA and server certificate files when Options.TLS is set.
	TLS testcert.Files

	driver, dsn string // the administrator connection for database/sql
	// database returns the strata URL and the database/sql DSN of the
	// named database on this server.
	database   func(name string) (url, dsn string)
	upstream   *url.URL // for a pooler: the PostgreSQL behind it
	log        string   // the server's log file
	stopSignal syscall.Signal
	cmd        *exec.Cmd
	exited     chan struct{}
	stopOnce   sync.Once
	stopped    atomic.Bool
	stopErr    error
}

// unavailable skips the test outside CI and fails it in CI.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("testserver: CI is set, so this fails instead of skipping: "+format, args...)
	}
	t.Skipf("testserver: skipping: "+format, args...)
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// owner is the OS user a server runs as: nil for the current user.
type owner struct{ uid, gid int }

// lookupOwner returns the user name's ids when running as root, nil
// otherwise (the server then runs as the current user).
func lookupOwner(name string) (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root, the server must run as the %s OS user: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &owner{uid, gid}, nil
}

// newDir makes the server's temporary folder, owned by o when set. It is
// not under t.TempDir(), whose parents only root may enter.
func newDir(prefix string, o *owner) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	if o != nil {
		if err := os.Chown(dir, o.uid, o.gid); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// chownAll gives everything under dir to o (nil: nothing to do).
func chownAll(dir string, o *owner) error {
	if o == nil {
		return nil
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, o.uid, o.gid)
	})
}

// command prepares name args to run in its own process group as o,
// writing its output to the log file.
func command(name string, args []string, dir string, o *owner, log *os.File) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)}
	}
	return cmd
}

// run runs a setup command to its end, with its output in the error.
func run(name string, args []string, dir string, o *owner) error {
	log, err := os.CreateTemp(dir, "setup-*.log")
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := command(name, args, dir, o, log)
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		return fmt.Errorf("%s: %w\n%s", name, err, tail(out))
	}
	return nil
}

// tail is the end of a log, enough to see why a server did not start.
func tail(b []byte) string {
	const max = 3000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// start starts the server process in the background. The process gets
// SIGKILL if the test binary dies without stopping it (a timeout panic):
// the parent-death signal follows the thread that started the process,
// so that thread stays locked to the goroutine waiting for the process.
func (s *Server) start(name string, args []string, o *owner) error {
	log, err := os.Create(s.log)
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own descriptor
	cmd := command(name, args, s.Dir, o, log)
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the process
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	s.cmd, s.exited = cmd, exited
	return nil
}

// wait polls the server until it answers, it exits or a minute passes.
func (s *Server) wait() error {
	db, err := sql.Open(s.driver, s.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("the server exited before answering (%v); its log:\n%s", err, tail([]byte(s.Logs())))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server does not answer after a minute: %v; its log:\n%s", err, tail([]byte(s.Logs())))
		}
	}
}

// Stop stops the server's process group (politely, then by force after
// 15 seconds) and removes its folder. It can be called more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopped.Store(true)
		if s.cmd != nil && s.cmd.Process != nil {
			pgid := s.cmd.Process.Pid
			_ = syscall.Kill(-pgid, s.stopSignal)
			select {
			case <-s.exited:
			case <-time.After(15 * time.Second):
				s.stopErr = errors.New("testserver: the server did not stop in 15 s; killed")
			}
			// Whatever is left of the group (children) goes too.
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.exited
		}
		if err := os.RemoveAll(s.Dir); err != nil && s.stopErr == nil {
			s.stopErr = err
		}
	})
	return s.stopErr
}

// Logs returns the server's output so far (and MariaDB's error log), for
// a failing test to show.
func (s *Server) Logs() string {
	b, _ := os.ReadFile(s.log)
	e, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
	return string(b) + string(e)
}

func randomName() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "strata_test_" + hex.EncodeToString(b[:])
}

// Database creates a fresh, randomly named database on the server and
// drops it when the test ends. Its URL has no TLS parameters; see
// Server.URL for their form. On a PgBouncer the database is created on
// the PostgreSQL behind it and its URL goes through the pooler.
func (s *Server) Database(t testing.TB) testdb.DB {
	t.Helper()
	if s.upstream != nil {
		return s.pooledDatabase(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open(s.driver, s.dsn)
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	name := randomName()
	q := func(ident string) string { return `"` + ident + `"` }
	drop := ` WITH (FORCE)`
	if s.driver == "mysql" {
		q = func(ident string) string { return "`" + ident + "`" }
		drop = ""
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+q(name)); err != nil {
		t.Fatalf("testserver: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if s.stopped.Load() {
			return // gone with the server's folder
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+q(name)+drop); err != nil {
			t.Errorf("testserver: drop database %s: %v", name, err)
		}
	})
	u, dsn := s.database(name)
	return testdb.DB{URL: u, DriverName: s.driver, DSN: dsn, Name: name}
}

// Shared is a server started by the first test that asks for it and kept
// for the rest of the test binary, for tests that need the same settings;
// TestMain calls Stop after m.Run.
type Shared struct {
	start func(t testing.TB) *Server
	once  sync.Once
	srv   *Server
	mu    sync.Mutex
}

// NewShared returns a Shared server started by start (StartPostgres or
// StartMariaDB with fixed Options).
func NewShared(start func(t testing.TB) *Server) *Shared {
	return &Shared{start: start}
}

// Get returns the server, starting it on first use. A failed start skips
// or fails (in CI) every test asking for it.
func (s *Shared) Get(t testing.TB) *Server {
	t.Helper()
	started := false
	s.once.Do(func() {
		srv := s.start(t) // may end this test (skip or fail)
		s.mu.Lock()
		s.srv = srv
		s.mu.Unlock()
		started = true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		if started {
			t.Fatal("testserver: the start returned no server")
		}
		unavailable(t, "the shared private server did not start (see the first test that asked for it)")
	}
	return s.srv
}

// Stop stops the server if it was started.
func (s *Shared) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	return s.srv.Stop()
}

// stopProcess stops the server process (not the folder) after a failed
// start, so that another can start in its place.
func (s *Server) stopProcess() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// portTaken reports whether a server's log says its port was taken.
func portTaken(log string) bool {
	return strings.Contains(log, "already in use")
}
