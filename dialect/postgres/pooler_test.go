package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// TestDetectPooler: a real PgBouncer in transaction mode is found, with
// the default (prepared-statement cache) driver settings too; the direct
// connection (on one connection only) and a session-mode PgBouncer are
// not reported.
func TestDetectPooler(t *testing.T) {
	t.Parallel()
	tx := testserver.PgBouncer(t, testserver.PoolerOptions{})
	session := testserver.PgBouncer(t, testserver.PoolerOptions{Mode: "session"})
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
		mode pgx.QueryExecMode
		want bool
	}{
		{"direct", func(t *testing.T) string { return testdb.Postgres(t).URL }, pgx.QueryExecModeCacheStatement, false},
		{"transaction pooler, statement cache", func(t *testing.T) string { return tx.Database(t).URL }, pgx.QueryExecModeCacheStatement, true},
		{"transaction pooler, exec mode", func(t *testing.T) string { return tx.Database(t).URL }, pgx.QueryExecModeExec, true},
		{"session pooler", func(t *testing.T) string { return session.Database(t).URL }, pgx.QueryExecModeCacheStatement, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := pgx.ParseConfig(tc.url(t))
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = tc.mode
			db := stdlib.OpenDB(*cfg)
			defer db.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p, err := postgres.Dialect{}.DetectPooler(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if p.Transaction() != tc.want || p.Transaction() != (p.Evidence != "") {
				t.Fatalf("DetectPooler = %+v, want transaction pooler %v", p, tc.want)
			}
			if tc.name == "direct" && db.Stats().OpenConnections != 1 {
				// Settled by the login process id on the first connection,
				// which the pool keeps for the run.
				t.Errorf("a direct connection was probed with %d connections, want 1", db.Stats().OpenConnections)
			}
			if tc.want && db.Stats().OpenConnections != 0 {
				t.Errorf("%d connections opened before the pooler was known are still pooled", db.Stats().OpenConnections)
			}
			// The pool still works afterwards.
			var one int
			if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("SELECT 1 after detection = %d, %v", one, err)
			}
		})
	}
}

// TestNeedsSession: statements that leave state on the session for
// later statements.
func TestNeedsSession(t *testing.T) {
	for _, tc := range []struct {
		stmt string
		want bool
	}{
		{"SET search_path TO app", true},
		{"SET LOCAL lock_timeout = '1s'", false},
		{"CREATE TEMP TABLE x (id int)", true},
		{"create temporary table x (id int)", true},
		{"PREPARE p AS SELECT 1", true},
		{"LISTEN jobs", true},
		{"CREATE INDEX CONCURRENTLY i ON t (id)", false},
		{"CREATE TABLE temperatures (id int)", false},
		{"VACUUM t", false},
	} {
		if got := (postgres.Dialect{}).NeedsSession(tc.stmt); got != tc.want {
			t.Errorf("NeedsSession(%q) = %v, want %v", tc.stmt, got, tc.want)
		}
	}
}
