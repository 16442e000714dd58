package strata_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// holdLock opens a second session that takes a lock the migration needs,
// and returns a function that releases it.
func holdLock(t *testing.T, db testdb.DB, sqlDB *sql.DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	c, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	switch db.DriverName {
	case "pgx":
		stmts = []string{"BEGIN", "LOCK TABLE t IN ACCESS EXCLUSIVE MODE"}
	case "mysql":
		// A row lock in an open transaction: the migration's UPDATE of
		// the same row waits for it (innodb_lock_wait_timeout).
		stmts = []string{"BEGIN", "UPDATE t SET x = 1 WHERE id = 1"}
	case "sqlite":
		stmts = []string{"BEGIN IMMEDIATE"}
	}
	for _, s := range stmts {
		if _, err := c.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Errorf("release the lock: %v", err)
			}
			c.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestDDLLockTimeoutAndRetry holds a lock the second file needs from
// another session: without retries the file fails on the lock timeout
// (instead of waiting); with retries it is tried again and succeeds once
// the lock is released.
func TestDDLLockTimeoutAndRetry(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		second := "ALTER TABLE t ADD COLUMN y int;\n"
		if db.DriverName == "mysql" {
			// MySQL DDL runs outside a transaction and is never retried;
			// a DML file runs in one.
			second = "UPDATE t SET x = 2 WHERE id = 1;\n"
		}
		fsys := files(
			"0001_t.sql", "CREATE TABLE t (id int PRIMARY KEY, x int);\nINSERT INTO t VALUES (1, 0);\n",
			"0002_wait.sql", second,
		)
		up(t, newMigrator(t, db, sqlDB, files("0001_t.sql", string(fsys["0001_t.sql"].Data))))
		lockTimeoutThenRetry(t, db, sqlDB, fsys, "0002_wait.sql", func(m *strata.Migrator) ([]strata.Applied, error) {
			res, err := m.Up(context.Background(), strata.PlanOptions{})
			if res == nil {
				return nil, err
			}
			return res.Applied, err
		})
	})
}

// lockTimeoutThenRetry holds a lock that file needs from another session
// and runs it (through run, on a Migrator for fsys) twice: with a short
// lock timeout it must fail fast on a retryable error naming file; with
// retries, the lock released on the third attempt, it must succeed after
// retry events naming file.
func lockTimeoutThenRetry(t *testing.T, db testdb.DB, sqlDB *sql.DB, fsys fstest.MapFS, file string, run func(*strata.Migrator) ([]strata.Applied, error)) {
	t.Helper()
	timeout := 200 * time.Millisecond
	release := holdLock(t, db, sqlDB)
	start := time.Now()
	m := newMigrator(t, db, sqlDB, fsys, strata.WithDDLLockTimeout(timeout))
	_, err := run(m)
	var se *strata.StatementError
	if !errors.As(err, &se) || !m.Dialect().Retryable(err) || se.File != file {
		t.Fatalf("with the lock held: want a retryable lock timeout in %s, got %v", file, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the lock timeout took %s", d)
	}
	t.Logf("without retries: %v", err)

	var mu sync.Mutex
	var retries []strata.Event
	observe := func(e strata.Event) {
		if e.Kind == strata.EventMigrationRetry {
			mu.Lock()
			retries = append(retries, e)
			mu.Unlock()
			if e.Attempt == 3 {
				release()
			}
		}
	}
	m = newMigrator(t, db, sqlDB, fsys, strata.WithDDLLockTimeout(timeout), strata.WithRetries(10), strata.WithObserver(observe))
	done, err := run(m)
	if err != nil {
		t.Fatalf("with retries: %v", err)
	}
	if len(done) != 1 || done[0].File != file {
		t.Fatalf("ran %+v, want %s", done, file)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retries) < 2 || retries[0].Attempt != 2 || retries[0].Err == nil || retries[0].File != file {
		t.Fatalf("want at least two retry events for %s, got %+v", file, retries)
	}
}

// TestLockTimeoutDirectiveAndRestore checks that a file's directive sets
// the timeout for that file only: the session's value is back afterwards.
func TestLockTimeoutDirectiveAndRestore(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		if db.DriverName == "sqlite" {
			t.Skip("SQLite's busy_timeout is per connection and checked in TestDDLLockTimeoutAndRetry")
		}
		sqlDB := db.Open(t)
		// The migration and the checks share the sessions: PostgreSQL
		// needs one, MySQL a second one for its lock.
		conns := map[string]int{"pgx": 1, "mysql": 2}[db.DriverName]
		sqlDB.SetMaxOpenConns(conns)
		q := map[string]string{"pgx": "SELECT current_setting('lock_timeout')",
			"mysql": "SELECT CONCAT(@@SESSION.lock_wait_timeout, ',', @@SESSION.innodb_lock_wait_timeout)"}[db.DriverName]
		// sessions reads the setting on every connection of the pool.
		sessions := func() string {
			ctx := context.Background()
			var out []string
			for range conns {
				c, err := sqlDB.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var v string
				if err := c.QueryRowContext(ctx, q).Scan(&v); err != nil {
					t.Fatal(err)
				}
				out = append(out, v)
			}
			return strings.Join(out, " ")
		}
		before := sessions()
		ddl := "CREATE TABLE u (id int);\nCREATE INDEX u_id ON u (id);\n"
		m := newMigrator(t, db, sqlDB, files("0001_u.sql", "-- strata:no-transaction\n-- strata:lock-timeout 3s\n"+ddl,
			"0002_v.sql", "-- strata:lock-timeout 4s\nCREATE TABLE v (id int);\n"))
		up(t, m)
		if after := sessions(); after != before {
			t.Errorf("the session's lock timeout is %q after the run, was %q", after, before)
		}
	})
}

// TestInvalidIndexNamed makes CREATE INDEX CONCURRENTLY fail on duplicate
// values: the invalid index it leaves is named in the error and in Status.
func TestInvalidIndexNamed(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	sqlDB := db.Open(t)
	m := newMigrator(t, db, sqlDB, files(
		"0001_t.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (1);\n",
		"0002_idx.sql", "CREATE UNIQUE INDEX CONCURRENTLY t_id_key ON t (id);\n",
	))
	_, err := m.Up(context.Background(), strata.PlanOptions{})
	var se *strata.StatementError
	if !errors.As(err, &se) || len(se.InvalidIndexes) != 1 || se.InvalidIndexes[0] != "public.t_id_key" {
		t.Fatalf("want an error naming public.t_id_key, got %v", err)
	}
	if !strings.Contains(err.Error(), "invalid indexes left behind: public.t_id_key") {
		t.Errorf("message: %v", err)
	}
	st, err := m.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.InvalidIndexes) != 1 || st.InvalidIndexes[0] != "public.t_id_key" {
		t.Errorf("Status.InvalidIndexes = %v", st.InvalidIndexes)
	}
	// A fleet's summary skips them: the same status, no index listed.
	for _, skip := range []bool{false, true} {
		st, err := m.StatusWith(context.Background(), strata.StatusOptions{SkipInvalidIndexes: skip})
		if err != nil {
			t.Fatal(err)
		}
		if listed := len(st.InvalidIndexes) > 0; listed == skip || st.Pending != 1 || st.Current.String() != "1" {
			t.Errorf("StatusWith(skip %v): invalid indexes %v, pending %d, current %s", skip, st.InvalidIndexes, st.Pending, st.Current)
		}
	}
}

// TestDownLockTimeoutAndRetry: a down file waits for locks no longer than
// an up file would, and is retried like one.
func TestDownLockTimeoutAndRetry(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		sqlDB := db.Open(t)
		upSQL, downSQL := "ALTER TABLE t ADD COLUMN y int;\n", "ALTER TABLE t DROP COLUMN y;\n"
		if db.DriverName == "mysql" {
			// A DML down file runs in a transaction and can be retried.
			upSQL, downSQL = "UPDATE t SET x = 2 WHERE id = 1;\n", "UPDATE t SET x = 0 WHERE id = 1;\n"
		}
		fsys := files(
			"0001_t.sql", "CREATE TABLE t (id int PRIMARY KEY, x int);\nINSERT INTO t VALUES (1, 0);\n",
			"0002_wait.sql", upSQL,
			"0002_wait.down.sql", downSQL,
		)
		up(t, newMigrator(t, db, sqlDB, fsys))
		lockTimeoutThenRetry(t, db, sqlDB, fsys, "0002_wait.down.sql", func(m *strata.Migrator) ([]strata.Applied, error) {
			res, err := m.Down(context.Background(), strata.DownOptions{})
			if res == nil {
				return nil, err
			}
			return res.Applied, err
		})
	})
}
