package strata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/lease"
)

// held is a migration lock a run holds, with what the run needs to stay
// within it (docs/safety.md): a watcher that cancels the run the moment
// the lock is found lost, and the fence that history writes carry.
type held struct {
	dialect.Lock
	stop func() // ends the watcher
	// fence is the condition every history write on the work connection
	// carries: set for locks that can be lost while the work connection
	// lives (a MySQL lock connection, a lease); empty when the lock is
	// held by the work connection itself (PostgreSQL), which cannot
	// outlive it.
	fence string
	// away is the condition for a history write on any other connection.
	away string
}

// Release ends the watcher and releases the lock.
func (h *held) Release(ctx context.Context) error {
	h.stop()
	return h.Lock.Release(ctx)
}

// check returns the lock's loss, if it is known lost, confirming a lease
// that may have expired first. It is cheap: no round trip unless a lease
// was not renewed for most of its TTL.
func (h *held) check(ctx context.Context) error {
	if h == nil {
		return nil
	}
	if c, ok := h.Lock.(dialect.Checker); ok {
		return c.Check(ctx)
	}
	if w, ok := h.Lock.(dialect.Watched); ok {
		return w.Err()
	}
	return nil
}

// hold wraps a taken lock: when it can be lost, the run's context is
// cancelled with the *dialect.LockLostError as its cause as soon as the
// loss is seen, which stops the running statement (and, on MySQL, has the
// server stop it: kill.go).
func hold(l dialect.Lock, cancel context.CancelCauseFunc) *held {
	h := &held{Lock: l, stop: func() {}}
	if f, ok := l.(dialect.Fenced); ok {
		h.away = f.Fence()
	}
	w, ok := l.(dialect.Watched)
	if !ok {
		return h
	}
	h.fence = h.away
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-done:
		case <-w.Lost():
			cancel(w.Err())
		}
	}()
	h.stop = func() {
		select {
		case <-done:
		default:
			close(done)
		}
		<-finished
	}
	return h
}

// lostLock returns the *dialect.LockLostError that cancelled ctx, if that
// is why the run stopped, joined with err; otherwise err. When the
// database refused a history write before the run itself saw the loss (a
// run stopped past its lease's expiry writes its progress first thing on
// waking), it asks h, so the error names the lock that was lost and how.
func lostLock(ctx context.Context, h *held, err error) error {
	var lost *dialect.LockLostError
	if err == nil || errors.As(err, &lost) {
		return err
	}
	if errors.As(context.Cause(ctx), &lost) {
		return errors.Join(lost, err)
	}
	if errors.Is(err, history.ErrFenced) {
		if cerr := h.check(context.WithoutCancel(ctx)); errors.As(cerr, &lost) {
			return errors.Join(lost, err)
		}
		return errors.Join(&dialect.LockLostError{Lock: "the migration lock", Reason: "the database refused this run's history write because the run no longer holds it"}, err)
	}
	return err
}

// acquireSession takes the session-mode lock and then makes sure no
// lease-mode run is live; when one is, it gives the lock back and waits,
// so the two modes exclude each other (docs/safety.md).
func (m *Migrator) acquireSession(ctx context.Context, c *sql.Conn, timeout time.Duration, waiting func(string)) (dialect.Lock, error) {
	var got dialect.Lock
	who := ""
	try := func(ctx context.Context) (bool, error) {
		l, err := m.d.Lock(ctx, m.db, c, m.cfg.table, time.Nanosecond, nil)
		var lt *dialect.LockTimeoutError
		if errors.As(err, &lt) {
			who = lt.Holder
			return false, nil
		}
		if err != nil {
			return false, err
		}
		h, err := lease.Live(ctx, c, m.d, m.cfg.table)
		if err != nil || h != "" {
			if rerr := releaseLock(ctx, l); rerr != nil {
				return false, errors.Join(err, rerr)
			}
			who = h + " (a --lock-mode=lease run)"
			return false, err
		}
		got = l
		return true, nil
	}
	if err := dialect.PollLock(ctx, timeout, try, func(context.Context) string { return who }, waiting); err != nil {
		return nil, err
	}
	return got, nil
}

// excludeSession is the lease-mode side of the exclusion: it names the
// live session-mode run, read without taking anything (safe behind a
// transaction pooler), or "".
func (m *Migrator) excludeSession(ctx context.Context) (string, error) {
	p, ok := m.d.(dialect.LockProber)
	if !ok {
		return "", nil
	}
	h, err := p.LockHolder(ctx, m.db, m.cfg.table)
	if err != nil || h == "" {
		return "", err
	}
	return h + " (a --lock-mode=session run)", nil
}

// liveRun tells whether a run is live without taking the lock: a
// statement still executing on a dead run's work connection, a held
// session lock, or a live lease, in either mode. executing describes the
// connection when a statement is still executing.
func (m *Migrator) liveRun(ctx context.Context, c *sql.Conn) (live bool, executing string, err error) {
	if p, ok := m.d.(dialect.LockProber); ok {
		h, err := p.LockHolder(ctx, c, m.cfg.table)
		if err != nil || h != "" {
			return h != "", "", err
		}
		if h, err = lease.Live(ctx, c, m.d, m.cfg.table); err != nil || h != "" {
			return h != "", "", err
		}
	} else {
		l, err := m.acquire(ctx, c, time.Nanosecond, nil, nil)
		if errors.As(err, new(*dialect.LockTimeoutError)) {
			return true, "", nil
		}
		if err != nil {
			return false, "", err
		}
		if err := releaseLock(ctx, l); err != nil {
			return false, "", err
		}
	}
	conn, err := m.executing(ctx, c)
	return conn != "", conn, err
}

// executing names the connection on which a run's statement is still
// executing (dialect.WorkMarker), or "".
func (m *Migrator) executing(ctx context.Context, c *sql.Conn) (string, error) {
	wm, ok := m.d.(dialect.WorkMarker)
	if !ok {
		return "", nil
	}
	conn, _, err := wm.Executing(ctx, c, m.cfg.table)
	return conn, err
}

// StillExecutingError refuses to settle or continue a file whose last run
// died while its statement still executes on the server: the statement
// may yet complete (and commit), so running it again now could apply it
// twice.
type StillExecutingError struct {
	Version, File string
	Conn          string // "connection 42"
	Kill          string // the statement that stops it: "KILL 42"
}

func (e *StillExecutingError) Error() string {
	return fmt.Sprintf("%s: the run that was applying it is gone or stopped, but its statement is still executing on %s (the connection still exists): "+
		"wait until it ends (its status shows the file as running until then), or stop it with %s; then read the status again", e.File, e.Conn, e.Kill)
}

// progressTogether returns, where the dialect runs a query of several
// statements as one implicit transaction (dialect.ImplicitTx), the
// function that joins statement i of file id with the update recording
// it, so both commit or neither does; "" for statements that cannot share
// a transaction. It returns nil for other dialects.
func (r *run) progressTogether(id string) func(i int, text string) string {
	it, ok := r.m.d.(dialect.ImplicitTx)
	if !ok {
		return nil
	}
	return func(i int, text string) string {
		if !it.Together(text) {
			return ""
		}
		return text + "\n;\n" + r.store.AdvanceSQL(id, i, StatementChecksum(text)+",")
	}
}

// markWork tags the run's work connection where the dialect's lock lives
// on another connection (dialect.WorkMarker), so that status and a later
// run see a dead run's statement that is still executing.
func (r *run) markWork(ctx context.Context) error {
	wm, ok := r.m.d.(dialect.WorkMarker)
	if !ok {
		return nil
	}
	release, err := wm.MarkWork(ctx, r.conn, r.m.cfg.table)
	if err != nil {
		return err
	}
	r.unmark = release
	return nil
}

// unmarkWork frees the tag, before the connection goes back to the pool.
func (r *run) unmarkWork(ctx context.Context) {
	if r.unmark != nil {
		_ = r.unmark(context.WithoutCancel(ctx))
		r.unmark = nil
	}
}
