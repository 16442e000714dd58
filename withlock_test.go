package strata_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// When giving the migration lock back fails (here: the PostgreSQL backend
// holding the session advisory lock is terminated after the last file
// committed), up and down report it instead of dropping the error, and the
// same *sql.DB runs again at once: no pooled connection is left holding
// the lock.
func TestLockReleaseErrorIsReported(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	ctx := context.Background()
	fsys := files(
		"1_a.up.sql", "CREATE TABLE a (id int);",
		"1_a.down.sql", "DROP TABLE a;",
		"2_b.up.sql", "INSERT INTO a VALUES (1);",
		"2_b.down.sql", "DELETE FROM a;",
	)
	admin := db.Open(t)
	// terminate ends the backend that holds this database's advisory lock
	// and waits until it is gone.
	terminate := func() error {
		var n int
		err := admin.QueryRow(`SELECT count(pg_terminate_backend(l.pid, 5000)) FROM pg_locks l
			WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
		if err == nil && n != 1 {
			t.Errorf("terminated %d lock-holding backends, want 1", n)
		}
		return err
	}
	sqlDB := db.Open(t)
	for _, tc := range []struct {
		name  string
		last  string // the file whose completion is the last before the release
		run   func(m *strata.Migrator) (int, error)
		after func(m *strata.Migrator) error // a second run on the same *sql.DB
	}{
		{"up", "2_b.up.sql", func(m *strata.Migrator) (int, error) {
			res, err := m.Up(ctx, strata.PlanOptions{})
			return len(res.Applied), err
		}, func(m *strata.Migrator) error {
			_, err := m.Down(ctx, strata.DownOptions{Steps: 1})
			return err
		}},
		{"down", "1_a.down.sql", func(m *strata.Migrator) (int, error) {
			res, err := m.Down(ctx, strata.DownOptions{Steps: 1})
			return len(res.Applied), err
		}, func(m *strata.Migrator) error {
			_, err := m.Up(ctx, strata.PlanOptions{})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var killErr error
			m := newMigrator(t, db, sqlDB, fsys, strata.WithLockTimeout(3*time.Second), strata.WithObserver(func(e strata.Event) {
				if e.Kind == strata.EventMigrationDone && strings.HasSuffix(e.File, tc.last) {
					killErr = terminate()
				}
			}))
			n, err := tc.run(m)
			if killErr != nil {
				t.Fatalf("terminate the lock holder: %v", killErr)
			}
			if err == nil || !strings.Contains(err.Error(), "release the migration lock") {
				t.Fatalf("%s: error %v, want the failed release reported", tc.name, err)
			}
			if n == 0 {
				t.Errorf("%s: the result lists no file, want the committed ones", tc.name)
			}
			// No connection of sqlDB holds the lock: another run on it
			// takes the lock at once.
			if held := count(t, admin, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND a.datname = current_database()`); held != 0 {
				t.Errorf("%d advisory locks still held in the database after the run", held)
			}
			plain := newMigrator(t, db, sqlDB, fsys, strata.WithLockTimeout(3*time.Second))
			if err := tc.after(plain); err != nil {
				t.Fatalf("a later run on the same *sql.DB: %v", err)
			}
		})
	}
}
