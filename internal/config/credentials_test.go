package config

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// scramPostgres starts a private PostgreSQL whose TCP logins check
// passwords (the shared server trusts every local login), with
// postgres itself still trusted. It returns the admin connection and the
// URL of a fresh database on it.
func scramPostgres(t *testing.T) (*sql.DB, testdb.DB) {
	t.Helper()
	dir, err := os.MkdirTemp("", "strata-hba-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	hba := filepath.Join(dir, "pg_hba.conf")
	rules := "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(hba, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Postgres(t, testserver.Options{Settings: map[string]string{"hba_file": hba}})
	db := srv.Database(t)
	return db.Open(t), db
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "pw-" + hex.EncodeToString(b)
}

// rotatingUser is a login whose password a test rotates: alter sets it
// on the server.
type rotatingUser struct {
	url   string // the database's URL as the user, without a password
	alter func(pw string)
}

func newRotatingUser(t *testing.T, kind, pw string) rotatingUser {
	t.Helper()
	name := "strata_rot_" + randomSecret(t)[3:13]
	var (
		admin *sql.DB
		u     string
		stmt  func(pw string) string
		setup []string
		drop  string
	)
	switch kind {
	case "postgres":
		var db testdb.DB
		admin, db = scramPostgres(t)
		stmt = func(pw string) string { return "ALTER ROLE " + name + " PASSWORD '" + pw + "'" }
		setup = []string{"CREATE ROLE " + name + " LOGIN PASSWORD '" + pw + "'"}
		pu, _ := url.Parse(db.URL)
		pu.User = url.User(name)
		u = pu.String()
	case "mysql":
		db := testdb.MySQL(t)
		admin = db.Open(t)
		stmt = func(pw string) string { return "ALTER USER '" + name + "'@'%' IDENTIFIED BY '" + pw + "'" }
		setup = []string{"CREATE USER '" + name + "'@'%' IDENTIFIED BY '" + pw + "'", "GRANT ALL ON `" + db.Name + "`.* TO '" + name + "'@'%'"}
		drop = "DROP USER IF EXISTS '" + name + "'@'%'"
		u = "mysql://" + name + "@127.0.0.1:3306/" + db.Name
	}
	for _, s := range setup {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("create user: %v", err)
		}
	}
	if drop != "" {
		t.Cleanup(func() { admin.Exec(drop) })
	}
	return rotatingUser{url: u, alter: func(pw string) {
		t.Helper()
		if _, err := admin.Exec(stmt(pw)); err != nil {
			t.Fatalf("rotate the password: %v", err)
		}
	}}
}

// TestPasswordPerConnection: a target whose password comes from a
// PasswordFunc asks it for every new connection, so a password rotated
// mid-run (on the server and in the secret store) fails no connection;
// when the store lags behind the server, the refused login is retried
// with a fresh password; a password that stays wrong fails as an auth
// error that never shows it.
func TestPasswordPerConnection(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			first := randomSecret(t)
			user := newRotatingUser(t, kind, first)
			var (
				mu    sync.Mutex
				store = first // the secret store's current answer
				lag   int     // calls that still get the previous answer
				prev  string
				calls atomic.Int32
			)
			set := func(pw string, lagging int) {
				mu.Lock()
				defer mu.Unlock()
				prev, store, lag = store, pw, lagging
			}
			fn := func(context.Context) (string, error) {
				calls.Add(1)
				mu.Lock()
				defer mu.Unlock()
				if lag > 0 {
					lag--
					return prev, nil
				}
				return store, nil
			}
			tg, err := Parse(user.url)
			if err != nil {
				t.Fatal(err)
			}
			if err := tg.SetPasswordFunc(fn); err != nil {
				t.Fatal(err)
			}
			tg.creds.backoff = 10 * time.Millisecond
			db, err := tg.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			held, err := db.Conn(ctx) // a connection opened with the first password
			if err != nil {
				t.Fatal(err)
			}
			defer held.Close()
			db.SetMaxIdleConns(0) // every other query opens a new connection
			newConn := func() error {
				var one int
				return db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
			}
			steps := []struct {
				name      string
				rotate    bool
				lagging   int
				wantCalls int32 // calls of fn for the step's connection
				wantAuth  bool
			}{
				{"same password", false, 0, 1, false},
				{"rotated in step", true, 0, 1, false},
				{"store lags two calls", true, 2, 3, false},
				{"server changed, store never does", true, authAttempts + 1, authAttempts, true},
			}
			for _, s := range steps {
				pw := randomSecret(t)
				if s.rotate {
					user.alter(pw)
					set(pw, s.lagging)
				}
				before := calls.Load()
				err := newConn()
				if got := calls.Load() - before; got != s.wantCalls {
					t.Errorf("%s: the password was asked %d times, want %d", s.name, got, s.wantCalls)
				}
				var ce *ConnectError
				switch {
				case !s.wantAuth && err != nil:
					t.Errorf("%s: %v", s.name, err)
				case s.wantAuth && err == nil:
					t.Errorf("%s: a wrong password connected", s.name)
				case s.wantAuth && !tg.authFailed(err):
					t.Errorf("%s: want an auth failure, got %v", s.name, err)
				case s.wantAuth:
					ce = tg.connectError(err)
					if msg := ce.Error(); strings.Contains(msg, prev) || strings.Contains(msg, pw) {
						t.Errorf("%s: the message shows a password: %s", s.name, msg)
					}
				}
				if s.wantAuth {
					set(pw, 0) // the store catches up
				}
			}
			// The connection opened with the first password still works.
			if err := held.PingContext(ctx); err != nil {
				t.Errorf("the connection held since the start: %v", err)
			}
			if err := newConn(); err != nil {
				t.Errorf("after the store caught up: %v", err)
			}
			if got := tg.Scrub("x " + first + " y"); strings.Contains(got, first) {
				t.Errorf("Scrub kept a password the function returned: %s", got)
			}
		})
	}
}

// TestPerConnectionCommand: the command's first answer is used once,
// then it runs for every call; a failing command is an error without its
// output.
func TestPerConnectionCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	count := filepath.Join(dir, "n")
	in := PasswordInput{Command: "echo x >> " + count + "; echo pw-$(wc -l < " + count + ")", Env: Env{"PATH": os.Getenv("PATH")}}
	fn := in.PerConnection("first")
	want := []string{"first", "pw-1", "pw-2"}
	for i, w := range want {
		got, err := fn(context.Background())
		if err != nil || got != w {
			t.Errorf("call %d: got %q, %v; want %q", i+1, got, err, w)
		}
	}
	bad := PasswordInput{Command: "echo leaked; exit 3", Env: Env{"PATH": os.Getenv("PATH")}}.PerConnection("")
	_, err := bad(context.Background())
	if err == nil || strings.Contains(err.Error(), "leaked") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("failing command: %v", err)
	}
}
