package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"

	"github.com/strata-db/strata/dialect"
)

// DDLLockTimeout sets busy_timeout, how long SQLite waits for another
// connection's lock on the database file, and restores it after the file.
func (Dialect) DDLLockTimeout(ctx context.Context, q dialect.Execer, timeout time.Duration, _ bool) (set, restore []string, err error) {
	var old int64
	if err := q.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&old); err != nil {
		return nil, nil, fmt.Errorf("read busy_timeout: %w", err)
	}
	return []string{fmt.Sprintf("PRAGMA busy_timeout = %d", max(timeout.Milliseconds(), 1))},
		[]string{fmt.Sprintf("PRAGMA busy_timeout = %d", old)}, nil
}

// Retryable reports SQLITE_BUSY (5) and SQLITE_LOCKED (6), including their
// extended codes.
func (Dialect) Retryable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == 5 || c == 6
}

// Objects lists the tables, views, indexes and triggers of the main
// database, without SQLite's own.
func (Dialect) Objects(ctx context.Context, q dialect.Execer) ([]string, error) {
	return dialect.QueryStrings(ctx, q, `SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1`)
}
