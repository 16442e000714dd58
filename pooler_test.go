package strata_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// TestPoolerLibrary: a Migrator on a *sql.DB that goes through PgBouncer
// in transaction mode finds the pooler itself (LockAuto, the default),
// holds the lease (not the advisory lock) while Lock is held, applies
// files with session SQL kept in their transactions, and refuses a
// no-transaction file that sets a session variable with a *PoolerError.
// Told there is no pooler (WithPooler), it takes the session lock.
func TestPoolerLibrary(t *testing.T) {
	t.Parallel()
	srv := testserver.PgBouncer(t, testserver.PoolerOptions{})
	db := srv.Database(t)
	cfg, err := pgx.ParseConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	direct := testdb.DB{URL: srv.Direct(db), DriverName: "pgx", DSN: srv.Direct(db), Name: db.Name}.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := direct.ExecContext(ctx, "CREATE SCHEMA app"); err != nil {
		t.Fatal(err)
	}

	fsys := files(
		"1_a.sql", "SET statement_timeout = '77s';\nCREATE TABLE a (id int);",
		"2_b.sql", "CREATE TABLE b AS SELECT current_setting('statement_timeout') AS st;",
	)
	m, err := strata.New(sqlDB, postgres.New(), fsys, strata.WithSessionSQL("SET search_path TO app"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Pooler(ctx)
	if err != nil || !p.Transaction() {
		t.Fatalf("Pooler = %+v, %v; want a transaction pooler", p, err)
	}
	release, err := m.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, direct, "SELECT COUNT(*) FROM app.strata_schema_history_lock"); n != 1 {
		t.Errorf("lease rows while Lock is held = %d, want 1", n)
	}
	if n := count(t, direct, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"); n != 0 {
		t.Errorf("advisory locks while Lock is held = %d, want none", n)
	}
	release()
	res, err := m.Up(ctx, strata.PlanOptions{})
	if err != nil || len(res.Applied) != 2 {
		t.Fatalf("Up = %+v, %v", res, err)
	}
	var st string
	if err := direct.QueryRowContext(ctx, "SELECT st FROM app.b").Scan(&st); err != nil || st != "0" {
		t.Errorf("the second file saw statement_timeout %q (%v), want 0: the first file's SET leaked", st, err)
	}

	more := files("3_c.sql", "-- strata:no-transaction\nCREATE TEMP TABLE scratch (id int);\nCREATE INDEX CONCURRENTLY a_id ON app.a (id);")
	for k, v := range fsys {
		more[k] = v
	}
	m2, err := strata.New(sqlDB, postgres.New(), more, strata.WithTable("app.strata_schema_history"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m2.Up(ctx, strata.PlanOptions{})
	var pe *strata.PoolerError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Evidence == "" {
		t.Fatalf("Up of a no-transaction file with a temporary table = %v; want a *PoolerError at line 2 with evidence", err)
	}

	m3, err := strata.New(sqlDB, postgres.New(), fsys, strata.WithPooler(dialect.Pooler{}))
	if err != nil {
		t.Fatal(err)
	}
	release, err = m3.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if n := count(t, direct, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"); n != 1 {
		t.Errorf("advisory locks with WithPooler(none) = %d, want 1", n)
	}
}

func TestParseLockModeAuto(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want strata.LockMode
		ok   bool
	}{
		{"", strata.LockAuto, true},
		{"auto", strata.LockAuto, true},
		{"session", strata.LockSession, true},
		{"lease", strata.LockLease, true},
		{"advisory", "", false},
	} {
		got, err := strata.ParseLockMode(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseLockMode(%q) = %q, %v", tc.in, got, err)
		}
	}
}
