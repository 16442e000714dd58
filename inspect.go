package strata

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/lease"
)

// lockHeld reports whether a run holds the migration lock, changing
// nothing: a lease is read from its row and compared with the database's
// clock, a dialect that can inspect its lock does so, and otherwise the
// lock is tried for an instant and released (a session lock, which needs
// no rights and writes nothing).
func (m *Migrator) lockHeld(ctx context.Context, c *sql.Conn) (bool, error) {
	if m.cfg.lockMode == LockLease {
		return lease.Held(ctx, c, m.d, m.cfg.table)
	}
	if li, ok := m.d.(dialect.LockInspector); ok {
		return li.LockHeld(ctx, c, m.cfg.table)
	}
	l, err := m.acquire(ctx, c, time.Nanosecond, nil, nil)
	if err == nil {
		_ = l.Release(context.WithoutCancel(ctx))
		return false, nil
	}
	if errors.As(err, new(*dialect.LockTimeoutError)) {
		return true, nil
	}
	return false, err
}
