package config_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// TestDetectPoolerNoPreparedStatements: through PgBouncer 1.18 in
// transaction mode, a target that found the pooler opens connections that
// send no named prepared statements, so parameterized queries from many
// connections at once work (with pgx's statement cache they fail with
// "prepared statement ... does not exist" or "already exists"); a URL that
// chose default_query_exec_mode keeps it, and a direct URL finds nothing.
func TestDetectPoolerNoPreparedStatements(t *testing.T) {
	t.Parallel()
	srv := testserver.PgBouncer(t, testserver.PoolerOptions{PoolSize: 2})
	for _, tc := range []struct {
		name       string
		url        func(t *testing.T) string
		pooled, np bool
	}{
		{"pooled", func(t *testing.T) string { return srv.Database(t).URL }, true, true},
		{"pooled, exec mode chosen", func(t *testing.T) string {
			return srv.Database(t).URL + "&default_query_exec_mode=simple_protocol"
		}, true, false},
		{"direct", func(t *testing.T) string { return testdb.Postgres(t).URL }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			target, err := config.Parse(tc.url(t))
			if err != nil {
				t.Fatal(err)
			}
			db, err := target.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := target.DetectPooler(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if p.Transaction() != tc.pooled || target.NoPreparedStatements() != tc.np {
				t.Fatalf("DetectPooler = %+v, NoPreparedStatements = %v; want pooled %v, %v", p, target.NoPreparedStatements(), tc.pooled, tc.np)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8*20)
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 20; i++ {
						var n int
						if err := db.QueryRowContext(ctx, "SELECT $1::int + 1", i).Scan(&n); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("parameterized query: %v", err)
			}
		})
	}
}
