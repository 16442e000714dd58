package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/strata-db/strata/dialect"
)

var (
	_ dialect.LockProber = Dialect{}
	_ dialect.WorkMarker = Dialect{}
	_ dialect.Watched    = (*namedLock)(nil)
	_ dialect.Fenced     = (*namedLock)(nil)
)

// keepaliveEvery is how often a held lock's connection is checked. It
// keeps the idle lock connection from being closed by the server's
// wait_timeout or a proxy's idle timeout, and notices within this long
// when it was closed anyway.
const keepaliveEvery = time.Second

// lockName derives a GET_LOCK name (at most 64 characters) from the
// database and history table.
func lockName(ctx context.Context, q dialect.Execer, t dialect.Table) (string, error) {
	var db sql.NullString
	var lower int
	if err := q.QueryRowContext(ctx, "SELECT DATABASE(), @@lower_case_table_names").Scan(&db, &lower); err != nil {
		return "", fmt.Errorf("derive lock name: %w", err)
	}
	schema := db.String
	if t.Schema != "" {
		schema = t.Schema
	}
	name := t.Name
	if lower != 0 {
		// The server compares table and database names without case
		// (lower_case_table_names 1 or 2): Hist and hist are one table,
		// so they must be one lock.
		schema, name = strings.ToLower(schema), strings.ToLower(name)
	}
	sum := sha256.Sum256([]byte(schema + "\x00" + name))
	return "strata:" + hex.EncodeToString(sum[:16]), nil
}

// workName is the name of the lock that tags a run's work connection.
func workName(lock string) string { return lock + ":work" }

// Lock takes GET_LOCK on a connection of its own, polling with a zero
// timeout so ctx can cancel the wait. The lock connection is separate from
// the work connection because resetting a MySQL session means replacing
// the work connection. While the lock is held, the lock connection is
// checked every second (which also keeps it from idling out); when the
// lock is found lost, the returned lock's Lost channel closes.
func (Dialect) Lock(ctx context.Context, db *sql.DB, _ *sql.Conn, t dialect.Table, timeout time.Duration, waiting func(string)) (dialect.Lock, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open lock connection: %w", err)
	}
	name, err := lockName(ctx, conn, t)
	if err != nil {
		conn.Close()
		return nil, err
	}
	try := func(ctx context.Context) (bool, error) {
		var got sql.NullInt64
		err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got)
		return got.Valid && got.Int64 == 1, err
	}
	holder := func(ctx context.Context) string { return describeHolder(ctx, db, name) }
	if err := dialect.PollLock(ctx, timeout, try, holder, waiting); err != nil {
		conn.Close()
		return nil, err
	}
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
		conn.Close()
		return nil, fmt.Errorf("read lock connection id: %w", err)
	}
	l := &namedLock{conn: conn, name: name, id: id, stop: make(chan struct{}), done: make(chan struct{}), lost: make(chan struct{})}
	go l.keepalive()
	return l, nil
}

// describeHolder names the connection holding lock name.
func describeHolder(ctx context.Context, db dialect.Execer, name string) string {
	var id sql.NullInt64
	var host, user, since sql.NullString
	err := db.QueryRowContext(ctx, `SELECT p.ID, p.HOST, p.USER, p.TIME FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)`, name).Scan(&id, &host, &user, &since)
	if err != nil {
		var only sql.NullInt64
		if db.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&only) == nil && only.Valid {
			return fmt.Sprintf("connection id %d", only.Int64)
		}
		return ""
	}
	return fmt.Sprintf("connection id %d, user %s, host %s, connected for %ss", id.Int64, user.String, host.String, since.String)
}

// LockHolder describes the connection holding the session-mode lock of
// history table t, or "" when it is free. It takes nothing.
func (Dialect) LockHolder(ctx context.Context, db dialect.Execer, t dialect.Table) (string, error) {
	name, err := lockName(ctx, db, t)
	if err != nil {
		return "", err
	}
	var id sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&id); err != nil {
		return "", fmt.Errorf("check the migration lock: %w", err)
	}
	if !id.Valid {
		return "", nil
	}
	if h := describeHolder(ctx, db, name); h != "" {
		return h, nil
	}
	return fmt.Sprintf("connection id %d", id.Int64), nil
}

// MarkWork takes a second named lock on the work connection, so that
// Executing can tell, after the strata process died and its lock
// connection closed, that its last statement is still running on the
// server. The returned release frees it.
func (Dialect) MarkWork(ctx context.Context, conn *sql.Conn, t dialect.Table) (func(context.Context) error, error) {
	name, err := lockName(ctx, conn, t)
	if err != nil {
		return nil, err
	}
	w := workName(name)
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", w).Scan(&got); err != nil {
		return nil, fmt.Errorf("tag the work connection: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		var id sql.NullInt64
		_ = conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", w).Scan(&id)
		return nil, fmt.Errorf("the work connection of an earlier run (connection %d) still exists: wait for its statement to end, or stop it with KILL %d", id.Int64, id.Int64)
	}
	return func(ctx context.Context) error {
		_, err := conn.ExecContext(ctx, "SELECT RELEASE_LOCK(?)", w)
		return err
	}, nil
}

// Executing names the work connection of a run of history table t while
// it exists, even when the run's process is gone.
func (Dialect) Executing(ctx context.Context, q dialect.Execer, t dialect.Table) (string, string, error) {
	name, err := lockName(ctx, q, t)
	if err != nil {
		return "", "", err
	}
	var id sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", workName(name)).Scan(&id); err != nil {
		return "", "", fmt.Errorf("look for a running statement: %w", err)
	}
	if !id.Valid {
		return "", "", nil
	}
	return fmt.Sprintf("connection %d", id.Int64), fmt.Sprintf("KILL %d", id.Int64), nil
}

// namedLock is a held GET_LOCK and its connection.
type namedLock struct {
	conn *sql.Conn
	name string
	id   int64 // the lock connection's CONNECTION_ID()

	mu   sync.Mutex // one user of conn at a time: keepalive or Release
	stop chan struct{}
	done chan struct{}
	lost chan struct{}
	err  error // set before lost is closed
}

func (l *namedLock) describe() string {
	return fmt.Sprintf("GET_LOCK %s on connection %d", l.name, l.id)
}

// keepalive checks every keepaliveEvery that the lock connection still
// holds the lock, until Release or until it does not.
func (l *namedLock) keepalive() {
	defer close(l.done)
	t := time.NewTicker(keepaliveEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var mine sql.NullBool
		err := l.conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", l.name).Scan(&mine)
		cancel()
		l.mu.Unlock()
		reason := ""
		switch {
		case err != nil:
			reason = "its connection was closed (" + err.Error() + ")"
		case !mine.Valid || !mine.Bool:
			reason = "its connection no longer holds it"
		}
		if reason != "" {
			l.err = &dialect.LockLostError{Lock: l.describe(), Reason: reason}
			close(l.lost)
			return
		}
	}
}

// Lost is closed when the lock was found lost.
func (l *namedLock) Lost() <-chan struct{} { return l.lost }

// Err returns the *dialect.LockLostError once Lost is closed.
func (l *namedLock) Err() error {
	select {
	case <-l.lost:
		return l.err
	default:
		return nil
	}
}

// Fence is true while the lock connection still holds the lock.
func (l *namedLock) Fence() string {
	return fmt.Sprintf("IS_USED_LOCK('%s') = %d", l.name, l.id)
}

func (l *namedLock) Release(ctx context.Context) error {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.conn.ExecContext(ctx, "SELECT RELEASE_LOCK(?)", l.name)
	if cerr := l.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// NowMS is the server's clock in milliseconds: SYSDATE, which a session's
// SET timestamp does not move, unlike NOW.
func (Dialect) NowMS() string {
	return "CAST(UNIX_TIMESTAMP(SYSDATE(6)) * 1000 AS SIGNED)"
}
