package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/strata-db/strata/dialect"
)

var (
	_ dialect.LockProber = Dialect{}
	_ dialect.ImplicitTx = Dialect{}
	_ dialect.Fenced     = advisoryLock{}
)

// lockHolderSQL finds the backend holding advisory lock ($1, $2).
const lockHolderSQL = `SELECT a.pid, a.application_name, host(a.client_addr), a.backend_start::text
	FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
	WHERE l.locktype = 'advisory' AND l.granted
	  AND l.classid::text = $1 AND l.objid::text = $2 AND l.objsubid = 1
	LIMIT 1`

func keyParts(key int64) (string, string) {
	return strconv.FormatUint(uint64(key)>>32, 10), strconv.FormatUint(uint64(key)&0xffffffff, 10)
}

// describeHolder names the backend holding advisory lock key, or "".
func describeHolder(ctx context.Context, q dialect.Execer, key int64) (string, error) {
	hi, lo := keyParts(key)
	var pid int
	var app, addr, since sql.NullString
	err := q.QueryRowContext(ctx, lockHolderSQL, hi, lo).Scan(&pid, &app, &addr, &since)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("pid %d", pid)
	if app.String != "" {
		s += ", application " + app.String
	}
	if addr.String != "" {
		s += ", client " + addr.String
	}
	if since.String != "" {
		s += ", connected since " + since.String
	}
	return s, nil
}

// LockHolder describes the backend holding the session-mode advisory lock
// of history table t, or "" when nobody does. It reads pg_locks and takes
// nothing, so it is safe behind a transaction pooler.
func (Dialect) LockHolder(ctx context.Context, c dialect.Execer, t dialect.Table) (string, error) {
	key, err := lockKey(ctx, c, t)
	if err != nil {
		return "", err
	}
	h, err := describeHolder(ctx, c, key)
	if err != nil {
		return "", fmt.Errorf("check the migration lock: %w", err)
	}
	return h, nil
}

// Together reports whether stmt can share an implicit transaction with
// the history update that records it: not when it cannot run inside a
// transaction block, nor when it is itself BEGIN, COMMIT and the like.
func (d Dialect) Together(stmt string) bool {
	return d.NoTransactionReason(stmt) == "" && !dialect.IsTransactionControl(stmt)
}

// Fence is true while no other backend holds the lock. It matters only
// for writes made on another connection: the work connection holds the
// lock itself and cannot outlive it. When that connection dies (cut by the
// server, an operator or a proxy) the lock goes with it, and the outcome
// of the file it was running is written from a fresh connection: that
// write may land only while no other run has taken the lock since. The
// history store adds that the row must still say running, so a run that
// took the lock, settled the row and let go again is not overwritten.
func (l advisoryLock) Fence() string {
	hi, lo := keyParts(l.key)
	return fmt.Sprintf("NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::text = '%s' AND objid::text = '%s' AND objsubid = 1 AND pid <> %d)", hi, lo, l.pid)
}

// NowMS is the server's clock (clock_timestamp, not the transaction's
// start) in milliseconds.
func (Dialect) NowMS() string {
	return "(extract(epoch from clock_timestamp()) * 1000)::bigint"
}
