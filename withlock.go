package strata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// releaseTimeout bounds how long giving the migration lock back may take
// once the run is over, even when the run was cancelled.
const releaseTimeout = 10 * time.Second

// pinned is the connection a locked run works on, and whether the run may
// have left session state on it (then it is not pooled again).
type pinned struct {
	c       *sql.Conn
	changed bool
}

// withLock runs f on a pinned connection under the migration lock: the one
// way every writing command takes and gives back the lock. The lock is
// released with a context that is not cancelled (so Ctrl-C still unlocks)
// but bounded by releaseTimeout; an error releasing it is joined into the
// returned error. When the release failed or may not have happened, the
// connection is discarded instead of going back to the pool: a session lock
// (PostgreSQL's advisory lock) lives on it, and a pooled connection still
// holding it would block every later run. f may replace p.c (a reconnect
// after a file) and sets p.changed when the connection carries session
// state. ctx given to f is cancelled, with the cause, when the lock is
// found lost.
func (m *Migrator) withLock(ctx context.Context, f func(ctx context.Context, p *pinned, lock *held) error) (wait time.Duration, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c, err := m.conn(ctx)
	if err != nil {
		return 0, err
	}
	p := &pinned{c: c}
	unsure := true // the lock may still be held on a connection of p
	defer func() { m.putBack(p.c, p.changed || unsure) }()
	lock, wait, err := m.lock(ctx, c, cancel)
	if err != nil {
		// A try that failed half-way (acquireSession) may have left
		// the lock on c; a plain timeout did not.
		unsure = !errors.Is(err, ErrLockTimeout)
		return wait, err
	}
	defer func() {
		if rerr := releaseLock(ctx, lock); rerr != nil {
			err = errors.Join(err, rerr)
			return
		}
		unsure = false
	}()
	return wait, f(ctx, p, lock)
}

// releaseLock gives lock back within releaseTimeout, even when ctx is
// cancelled.
func releaseLock(ctx context.Context, lock interface{ Release(context.Context) error }) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := lock.Release(ctx); err != nil {
		return fmt.Errorf("release the migration lock: %w", err)
	}
	return nil
}
