package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.AsyncCommitter = Dialect{}

// AsyncCommit turns synchronous_commit off for the current transaction
// only (SET LOCAL): its commit returns once the commit record is in the
// server's log buffers, which the WAL writer flushes within
// 3 × wal_writer_delay. A crash of the server before that loses the whole
// transaction, the file's work together with its history row, never one
// without the other.
func (Dialect) AsyncCommit() string { return "SET LOCAL synchronous_commit = off" }

// WaitDurable reads the server's current WAL insert position, which is past
// every commit record conn has written, and polls until the WAL is flushed
// that far. It needs no privileges and writes nothing.
func (Dialect) WaitDurable(ctx context.Context, conn *sql.Conn) error {
	var target string
	if err := conn.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&target); err != nil {
		return fmt.Errorf("read the WAL position: %w", err)
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		var flushed bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn", target).Scan(&flushed); err != nil {
			return fmt.Errorf("wait for the WAL to be flushed: %w", err)
		}
		if flushed {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wait for the WAL to be flushed to %s: %w", target, context.Cause(ctx))
		case <-t.C:
		}
	}
}
