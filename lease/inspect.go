package lease

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Held reports whether a live run holds the lease for history table t,
// only reading: the lease row exists and its expiry is not past by the
// database's clock (dialect.Clock; the host's when the dialect has none).
// A missing lock table or row is a free lease. Read-only commands (status,
// check, await) use it, so a role with only SELECT rights can run them.
func Held(ctx context.Context, q dialect.Execer, d dialect.Dialect, t dialect.Table) (bool, error) {
	lt := Table(t)
	var expires int64
	err := q.QueryRowContext(ctx, "SELECT expires_ms FROM "+d.QuoteTable(lt)+" WHERE name = 'migrate'").Scan(&expires)
	switch {
	case errors.Is(err, sql.ErrNoRows), err != nil && d.MissingTable(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read lease table %s: %w", lt, err)
	}
	now := time.Now().UnixMilli()
	if c, ok := d.(dialect.Clock); ok {
		if now, err = c.NowMillis(ctx, q); err != nil {
			return false, fmt.Errorf("read the database clock: %w", err)
		}
	}
	return expires >= now, nil
}
