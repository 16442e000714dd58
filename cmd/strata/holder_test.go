package main

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	lib "github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testdb"
)

// holdLock takes the migration lock of db in this process, as another
// strata run would, waiting at most timeout, and returns its release.
func holdLock(t *testing.T, db testdb.DB, mode string, timeout time.Duration) (release func()) {
	t.Helper()
	d := map[string]dialect.Dialect{"pgx": postgres.New(), "mysql": mysql.New(), "sqlite": sqlite.New()}[db.DriverName]
	lockMode, err := lib.ParseLockMode(mode)
	if err != nil {
		t.Fatal(err)
	}
	m, err := lib.New(db.Open(t), d, os.DirFS(t.TempDir()), lib.WithAllowEmpty(true), lib.WithLockMode(lockMode), lib.WithLockTimeout(timeout))
	if err != nil {
		t.Fatal(err)
	}
	release, err = m.Lock(context.Background())
	if err != nil {
		t.Fatalf("take the migration lock within %s: %v", timeout, err)
	}
	t.Cleanup(release)
	return release
}

// TestLockTimeoutNamesHolder holds the lock in this process and checks that
// strata up --lock-timeout gives up with exit 5 and names the holder as the
// database tells it: a PostgreSQL backend pid and client address, a MySQL
// connection id and host, a lease's owner, host and pid, or the SQLite lock
// file's pid and host.
func TestLockTimeoutNamesHolder(t *testing.T) {
	t.Parallel()
	host := regexp.QuoteMeta(mustHostname(t))
	pid := strconv.Itoa(os.Getpid())
	holders := map[string]string{
		"postgres/session": `held by pid \d+(, application [^,]+)?, client 127\.0\.0\.1, connected since `,
		"mysql/session":    `held by connection id \d+, user root, host (127\.0\.0\.1|localhost):\d+`,
		"sqlite/session":   `held by pid ` + pid + ` on ` + host + ` since \S+ \(lock file `,
	}
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		holders[kind+"/lease"] = `held by lease [0-9a-f]{16}: host ` + host + `, pid ` + pid + `, since \S+, expires `
		for _, mode := range []string{"session", "lease"} {
			t.Run(kind+"/"+mode, func(t *testing.T) {
				t.Parallel()
				db := testdb.New(t, kind)
				f := newFolder(t)
				f.write("0001_create_users.sql", createUsers)
				release := holdLock(t, db, mode, 10*time.Second)

				start := time.Now()
				r := f.run(db.URL, "up", "--lock-mode", mode, "--lock-timeout", "2s")
				want(t, r, 5, "waiting for the migration lock, held by ", "error: timed out after 2s waiting for the migration lock")
				if d := time.Since(start); d > 10*time.Second {
					t.Errorf("a 2s lock timeout took %s", d)
				}
				if re := regexp.MustCompile(holders[kind+"/"+mode]); !re.MatchString(r.stderr) {
					t.Errorf("the holder is not named as %s:\n%s", re, r)
				}
				r = f.run(db.URL, "up", "--lock-mode", mode, "--lock-timeout", "1s", "--json")
				want(t, r, 5)
				var e struct {
					Error struct {
						Code, Holder string
						ExitCode     int `json:"exit_code"`
					}
				}
				if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Error.Code != "lock_timeout" || e.Error.ExitCode != 5 || e.Error.Holder == "" {
					t.Errorf("--json error = %+v (%v)\n%s", e, err, r)
				}
				if st := f.status(db.URL); st.Pending != 1 {
					t.Errorf("a run that timed out changed something: %+v", st)
				}
				release()
				want(t, f.run(db.URL, "up", "--lock-mode", mode, "--lock-timeout", "2s"), 0, "applied migrations/0001_create_users.sql")
			})
		}
	}
}

func mustHostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
