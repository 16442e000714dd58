package strata_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/testdb"
)

// Runners in both lock modes apply each file exactly once.
func TestLockModesApplyOnce(t *testing.T) {
	t.Parallel()
	for _, mode := range []strata.LockMode{strata.LockSession, strata.LockLease} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
				fsys := files(
					"1_a.sql", "CREATE TABLE a (id int);",
					"2_b.sql", "INSERT INTO a VALUES (1);",
					"3_c.sql", "INSERT INTO a VALUES (2);",
				)
				const runners = 6
				var wg sync.WaitGroup
				var mu sync.Mutex
				total := 0
				for i := 0; i < runners; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						m := newMigrator(t, db, db.Open(t), fsys, strata.WithLockMode(mode))
						res, err := m.Up(context.Background(), strata.PlanOptions{})
						if err != nil {
							t.Errorf("runner %d: %v", i, err)
							return
						}
						mu.Lock()
						total += len(res.Applied)
						mu.Unlock()
					}()
				}
				wg.Wait()
				if total != 3 {
					t.Errorf("applied %d files in all, want 3", total)
				}
				if n := count(t, db.Open(t), "SELECT COUNT(*) FROM a"); n != 2 {
					t.Errorf("a has %d rows, want 2", n)
				}
			})
		})
	}
}

// While another session holds the lock, a run with a short lock timeout
// gives up with ErrLockTimeout and names the holder.
func TestLockTimeoutNamesHolder(t *testing.T) {
	t.Parallel()
	for _, mode := range []strata.LockMode{strata.LockSession, strata.LockLease} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
				ctx := context.Background()
				fsys := files("1_a.sql", "CREATE TABLE a (id int);")
				holderDB := db.Open(t)
				holder := newMigrator(t, db, holderDB, fsys, strata.WithLockMode(mode))
				release, err := holder.Lock(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer release()
				var waited []string
				m := newMigrator(t, db, db.Open(t), fsys, strata.WithLockMode(mode), strata.WithLockTimeout(1500*time.Millisecond),
					strata.WithObserver(func(e strata.Event) {
						if e.Kind == strata.EventLockWaiting {
							waited = append(waited, e.Holder)
						}
					}))
				start := time.Now()
				_, err = m.Up(ctx, strata.PlanOptions{})
				if !errors.Is(err, strata.ErrLockTimeout) {
					t.Fatalf("up: %v, want a lock timeout", err)
				}
				if d := time.Since(start); d < 1400*time.Millisecond || d > 10*time.Second {
					t.Errorf("gave up after %v, want about 1.5s", d)
				}
				var lt *dialect.LockTimeoutError
				if !errors.As(err, &lt) || lt.Holder == "" {
					t.Errorf("no holder named: %v", err)
				}
				want := map[string]string{"pgx": "pid ", "mysql": "connection id", "sqlite": "pid "}[db.DriverName]
				if mode == strata.LockLease {
					want = "lease "
				}
				if !strings.Contains(err.Error(), want) || len(waited) == 0 || !strings.Contains(waited[0], want) {
					t.Errorf("holder %q / waiting events %q do not name %q", err, waited, want)
				}
				release()
				if res := up(t, m); len(res.Applied) != 1 {
					t.Errorf("after release applied %d", len(res.Applied))
				}
			})
		})
	}
}
