package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// NowMillis reads the clock through SQLite (dialect.Clock): an embedded
// database shares the host's clock.
func (Dialect) NowMillis(ctx context.Context, q dialect.Execer) (int64, error) {
	var ms int64
	err := q.QueryRowContext(ctx, "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)").Scan(&ms)
	return ms, err
}

// LockHeld reports whether a run holds the lock file of the history table
// t (dialect.LockInspector), without creating or writing the file.
func (Dialect) LockHeld(ctx context.Context, conn dialect.Execer, t dialect.Table) (bool, error) {
	path, err := dbFile(ctx, conn, t)
	if err != nil || path == "" {
		return false, err
	}
	return lockFileHeld(lockPath(path, t))
}

// dbFile is the file of the schema that holds t ("" in memory).
func dbFile(ctx context.Context, q dialect.Execer, t dialect.Table) (string, error) {
	var path string
	schema := "main"
	if t.Schema != "" {
		schema = t.Schema
	}
	err := q.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = ?1", schema).Scan(&path)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find database file: %w", err)
	}
	return path, nil
}
