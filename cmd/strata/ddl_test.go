package main

import (
	"context"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestLockTimeoutDDLRetries holds an ACCESS EXCLUSIVE lock from a second
// session: strata up --lock-timeout-ddl --retries says it retries, and
// succeeds once the lock is released; STRATA_LOCK_TIMEOUT_DDL works too.
func TestLockTimeoutDDLRetries(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	f := newFolder(t)
	f.write("0001_t.sql", "CREATE TABLE t (id int);\n")
	want(t, f.run(db.URL, "up"), 0)
	f.write("0002_alter.sql", "ALTER TABLE t ADD COLUMN x int;\n")

	ctx := context.Background()
	c, err := db.Open(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, s := range []string{"BEGIN", "LOCK TABLE t IN ACCESS EXCLUSIVE MODE"} {
		if _, err := c.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	r := strataEnv(t, f.wd, []string{"STRATA_LOCK_TIMEOUT_DDL=200ms"}, "up", "--url", db.URL, "--dir", f.dir)
	want(t, r, 4, "0002_alter.sql:1", "55P03")

	// Release the table lock only once strata has hit it and said it
	// retries, not after a fixed time a slow start could outlast.
	b := startBG(t, f, db.URL, "retrying migrations/0002_alter.sql", "up", "--lock-timeout-ddl", "200ms", "--retries", "10")
	if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	want(t, b.wait(), 0, "retrying migrations/0002_alter.sql", "attempt 2 of 11", "applied migrations/0002_alter.sql")
}

// TestInvalidIndexInStatus fails a CREATE UNIQUE INDEX CONCURRENTLY on
// duplicate values: up names the invalid index it left, and so does status.
func TestInvalidIndexInStatus(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	f := newFolder(t)
	f.write("0001_t.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (1);\n")
	f.write("0002_idx.sql", "CREATE UNIQUE INDEX CONCURRENTLY t_id_key ON t (id);\n")
	want(t, f.run(db.URL, "up"), 4, "0002_idx.sql:1", "invalid indexes left behind: public.t_id_key")
	want(t, f.run(db.URL, "status"), 0, "invalid indexes (a failed CREATE INDEX CONCURRENTLY leaves one): public.t_id_key")
}
