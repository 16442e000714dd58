package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testdb"
)

// TestWaitDurable commits a transaction without waiting for the flush, as
// strata does for every file of a run but the last, then waits: the WAL
// must be flushed past that commit afterwards.
func TestWaitDurable(t *testing.T) {
	db := testdb.New(t, "postgres")
	ctx := context.Background()
	conn, err := db.Open(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	d := postgres.New()
	for _, q := range []string{"BEGIN", d.AsyncCommit(), "CREATE TABLE a (id int)", "INSERT INTO a VALUES (1)", "COMMIT"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var setting string
	if err := conn.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil || setting != "on" {
		t.Errorf("synchronous_commit after the transaction = %q (%v), want on: the setting must end with the transaction", setting, err)
	}
	var committed string
	if err := conn.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&committed); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.WaitDurable(wctx, conn); err != nil {
		t.Fatalf("WaitDurable: %v", err)
	}
	var flushed bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn", committed).Scan(&flushed); err != nil || !flushed {
		t.Errorf("WAL not flushed past %s after WaitDurable (%v)", committed, err)
	}
}
