package strata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-db/strata/internal/history"
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

// session is the state of one writing command run under the lock.
type session struct {
	c         *sql.Conn
	st        *Status // read under the lock; running rows settled as interrupted
	appliedBy string  // database user and host, as up records it
	lock      *held   // the migration lock, for fencing the command's writes
	who       string  // operating-system user, database user and host, for the audit
	changed   bool    // a file may have left session state on c
	// snapshot, when not empty, is the reason recorded with the schema
	// snapshot that locked takes after f: the command changed the schema.
	snapshot string
	// dataOnly is set with snapshot when every file the command ran
	// only changed rows (see dataOnly in schemachange.go), from is the
	// version the run started at: the snapshot taken at from is then
	// carried forward instead of reading the catalogs again.
	dataOnly bool
	from     string
	// rows is the history as read under the lock before f, to tell
	// whether a command that failed changed anything (rowsKey).
	rows []history.Record
}

// locked runs f on a pinned connection under the migration lock (see
// withLock), after creating the history and audit tables if needed and
// reading the history again.
func (m *Migrator) locked(ctx context.Context, f func(ctx context.Context, s *session) error) (time.Duration, error) {
	return m.withLock(ctx, func(ctx context.Context, p *pinned, lock *held) error {
		c := p.c
		s := &session{c: c, lock: lock}
		defer func() { p.c, p.changed = s.c, s.changed }()
		if err := m.store.Ensure(ctx, c, m.cfg.version); err != nil {
			return err
		}
		recs, err := m.store.All(ctx, c)
		if err != nil {
			return err
		}
		s.rows = recs
		s.st = m.status(recs)
		s.st.HistoryExists = true
		if err := m.settleRunning(ctx, c, s.st, true); err != nil {
			return err
		}
		user, err := m.d.CurrentUser(ctx, c)
		if err != nil {
			return fmt.Errorf("read current database user: %w", err)
		}
		s.appliedBy = m.appliedBy(user)
		s.who = s.appliedBy
		if m.osUser != "" && m.osUser != user {
			s.who = m.osUser + " as " + s.appliedBy
		}
		err = f(ctx, s)
		// Record the schema also after a failure that changed the
		// history (files applied before it, a file that stopped half-way):
		// the next run compares with it. Not when the run was cancelled
		// or lost the lock.
		if s.snapshot != "" && ctx.Err() == nil {
			if err != nil {
				recs, rerr := m.store.All(ctx, s.c)
				if rerr != nil || rowsKey(recs) == rowsKey(s.rows) {
					return err
				}
			}
			// The files ran and their history is committed: a schema
			// that cannot be read or recorded now (a server hiccup in
			// information_schema, say) does not turn a good run into a
			// failed one. The next run's drift check sees the snapshot
			// is older than the history and says so.
			if serr := m.recordSchema(ctx, s, s.snapshot); serr != nil {
				m.emit(Event{Kind: EventSnapshotFailed, Err: serr})
			}
		}
		return err
	})
}

// audit builds an audit entry for s.
func (s *session) audit(m *Migrator, id string, a history.Action, oldState, newState State, oldSum, newSum, reason string) history.AuditEntry {
	return history.AuditEntry{
		MigrationID: id, Action: a, OldState: string(oldState), NewState: string(newState),
		OldChecksum: oldSum, NewChecksum: newSum, Reason: reason, By: s.who, At: time.Now(), StrataVersion: m.cfg.version,
	}
}

// inTx runs f in a transaction on s's connection and commits it.
func (s *session) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// rowsKey sums up the history rows that say what ran: which rows exist,
// with what status and progress.
func rowsKey(recs []history.Record) string {
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = fmt.Sprintf("%s\x00%s\x00%d\x00%s", r.ID, r.Status, r.StatementsApplied, r.Checksum)
	}
	slices.Sort(keys)
	return strings.Join(keys, "\x01")
}
