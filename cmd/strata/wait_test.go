package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestWaitUnreachable: nothing listens on the port, so wait (and up --wait)
// fail with exit 6 after the deadline, logging every attempt with the
// redacted URL, the error and the next delay.
func TestWaitUnreachable(t *testing.T) {
	t.Parallel()
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	u := "postgres://postgres:" + secret + "@127.0.0.1:1/x"
	start := time.Now()
	r := f.run(u, "wait", "--timeout", "1s")
	if el := time.Since(start); el < time.Second || el > 10*time.Second {
		t.Errorf("wait gave up after %v, want about 1s", el)
	}
	want(t, r, 6, "still not reachable after 1s", "waiting for the database url=postgres://postgres:xxxxx@127.0.0.1:1/x attempt=1", "retry_in=")
	noSecret(t, r)
	if n := strings.Count(r.stderr, "waiting for the database"); n < 3 {
		t.Errorf("%d attempts logged, want several:\n%s", n, r)
	}
	r = f.run(u, "up", "--wait", "700ms", "--json")
	want(t, r, 6)
	if e := parseError(t, r); e.Error.Code != "unreachable" {
		t.Errorf("--json error = %+v", e)
	}
}

// proxy forwards connections on addr to target, from when it is started.
func proxy(t *testing.T, addr, target string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Errorf("proxy: %v", err)
		return
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer s.Close()
				var wg sync.WaitGroup
				wg.Add(2)
				go func() { io.Copy(s, c); s.(*net.TCPConn).CloseWrite(); wg.Done() }()
				go func() { io.Copy(c, s); c.(*net.TCPConn).CloseWrite(); wg.Done() }()
				wg.Wait()
			}()
		}
	}()
}

// freePort returns a local address nothing listens on (for now).
func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestWaitListenerAppears: PostgreSQL becomes reachable on a new port
// after about a second; wait and up --wait retry until it does.
func TestWaitListenerAppears(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	real, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	for _, args := range [][]string{{"wait", "--timeout", "30s", "--json"}, {"up", "--wait", "30s"}} {
		addr := freePort(t)
		u := *real
		u.Host = addr
		// The listener appears once strata has tried and said it waits,
		// however late the process starts on a busy machine.
		stderr := &watchWriter{want: "waiting for the database", seen: make(chan struct{})}
		var stdout strings.Builder
		cmd := exec.Command(bin, append(args, "--url", u.String(), "--dir", f.dir)...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = f.wd, cleanEnv(), &stdout, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-stderr.seen:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("%v never said it was waiting: %s", args, stderr.String())
		}
		proxy(t, addr, real.Host)
		r := result{}
		if err := cmd.Wait(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			r.code = ee.ExitCode()
		}
		r.stdout, r.stderr = stdout.String(), stderr.String()
		if args[0] == "wait" {
			want(t, r, 0, "waiting for the database")
			var out struct {
				Attempts       int  `json:"attempts"`
				DatabaseExists bool `json:"database_exists"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Attempts < 2 || !out.DatabaseExists {
				t.Errorf("wait --json = %+v, %v\n%s", out, err, r)
			}
		} else {
			want(t, r, 0, "waiting for the database", "applied migrations/0001_create_users.sql")
		}
	}
}

// TestWaitWrongPassword: MariaDB refuses a wrong password; waiting will not
// fix that, so wait gives up at once.
func TestWaitWrongPassword(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	conn := db.Open(t)
	var b [4]byte
	rand.Read(b[:])
	user := "strata_wait_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'right-password'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.ExecContext(context.Background(), "DROP USER IF EXISTS '"+user+"'@'%'") })
	if _, err := conn.ExecContext(ctx, "GRANT ALL ON `"+db.Name+"`.* TO '"+user+"'@'%'"); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := newFolder(t)
	u.User = url.UserPassword(user, "right-password")
	want(t, f.run(u.String(), "wait", "--timeout", "10s"), 0, "database is up")

	u.User = url.UserPassword(user, secret)
	start := time.Now()
	r := f.run(u.String(), "wait", "--timeout", "60s")
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("wait took %v on a wrong password, want an immediate failure", el)
	}
	want(t, r, 6, "1045", user+":xxxxx@")
	wantLoginAdvice(t, r)
	noSecret(t, r)
	if strings.Contains(r.stderr, "waiting for the database") {
		t.Errorf("a wrong password was retried:\n%s", r)
	}
	// Without --wait, the same advice.
	f.write("0001_create_users.sql", createUsers)
	r = f.run(u.String(), "up")
	want(t, r, 6, "1045")
	wantLoginAdvice(t, r)
	noSecret(t, r)
}

// TestWaitUnknownRole: PostgreSQL refuses a user that does not exist; the
// message says to check the login, with or without --wait.
func TestWaitUnknownRole(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User("strata_no_such_role_" + randomHex(4))
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	for _, args := range [][]string{{"up"}, {"up", "--wait", "30s"}, {"wait", "--timeout", "30s"}} {
		start := time.Now()
		r := f.run(u.String(), args...)
		want(t, r, 6, "28000")
		wantLoginAdvice(t, r)
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("strata %v took %v on an unknown user, want an immediate failure", args, el)
		}
	}
}

// wantLoginAdvice checks that a refused login is explained as one: check
// the user and password, waiting will not help, and nothing about the
// database not running.
func wantLoginAdvice(t *testing.T, r result) {
	t.Helper()
	out := r.stdout + r.stderr
	for _, s := range []string{"the server refused the login", "check the user name in the URL, the password", "waiting will not help"} {
		if !strings.Contains(out, s) {
			t.Errorf("the error does not say %q:\n%s", s, r)
		}
	}
	for _, s := range []string{"check that the database is running", "will not go away by waiting"} {
		if strings.Contains(out, s) {
			t.Errorf("the error about a refused login says %q:\n%s", s, r)
		}
	}
}

// TestWaitMissingDatabase: the server answers that the database does not
// exist. wait succeeds (the server is up); up says plainly what is wrong.
func TestWaitMissingDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "postgres")
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db.Name + "_absent"
	f := newFolder(t)
	f.write("0001_create_users.sql", createUsers)
	want(t, f.run(u.String(), "wait", "--timeout", "10s"), 0, `database "`+db.Name+`_absent" does not exist`)
	start := time.Now()
	r := f.run(u.String(), "up", "--wait", "30s")
	want(t, r, 6, `the server is up but database "`+db.Name+`_absent" does not exist: create it`)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("up --wait waited %v for a database that does not exist", el)
	}
}

// watchWriter keeps what is written to it and closes seen once it holds
// want.
type watchWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
