package strata

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/strata-db/strata/dialect"
)

// ddlTimeout is the lock timeout for a file: its -- strata:lock-timeout
// directive, else WithDDLLockTimeout, else 0 (none).
func (r *run) ddlTimeout(step Step) time.Duration {
	if d := step.Migration.Directives.LockTimeout; d > 0 {
		return d
	}
	return r.m.cfg.ddlLockTimeout
}

// lockTimeoutSQL returns the statements that set a file's lock timeout, and
// remembers those that restore it for restoreLockTimeout.
func (r *run) lockTimeoutSQL(ctx context.Context, q dialect.Execer, step Step, inTx bool) ([]string, error) {
	d := r.ddlTimeout(step)
	if d <= 0 {
		return nil, nil
	}
	set, restore, err := r.m.d.DDLLockTimeout(ctx, q, d, inTx)
	if err != nil {
		return nil, err
	}
	r.restore = append(r.restore, restore...)
	return set, nil
}

// setLockTimeout runs the statements that set a file's lock timeout on q.
func (r *run) setLockTimeout(ctx context.Context, q dialect.Execer, step Step, inTx bool) error {
	set, err := r.lockTimeoutSQL(ctx, q, step, inTx)
	for _, s := range set {
		if err == nil {
			_, err = q.ExecContext(ctx, s)
		}
	}
	return err
}

// restoreLockTimeout undoes what setLockTimeout set on the session, after
// the file (and its transaction) ended. When that fails, the session is
// reset after the file instead.
func (r *run) restoreLockTimeout(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, s := range r.restore {
		if _, err := r.conn.ExecContext(ctx, s); err != nil {
			r.changed = true
			break
		}
	}
	r.restore = nil
}

// retry runs f, the run of steps, again from the start while it fails on
// a lock timeout or deadlock, up to WithRetries times, waiting a growing,
// jittered interval between attempts. Only files that run in a transaction
// are retried: they were rolled back, so nothing of them remains.
func (r *run) retry(ctx context.Context, steps []Step, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || attempt > r.m.cfg.retries || !r.m.d.Retryable(err) || !allTransactional(steps) {
			return err
		}
		wait := retryBackoff(attempt)
		r.m.emit(Event{Kind: EventMigrationRetry, Migration: steps[0].Migration, File: steps[0].File, Err: err, Duration: wait, Attempt: attempt + 1})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func allTransactional(steps []Step) bool {
	for _, s := range steps {
		if !s.Transactional {
			return false
		}
	}
	return len(steps) > 0
}

// retryBackoff is the wait before attempt n+1: 500ms doubling up to 15s,
// with up to a quarter more at random so runners do not retry in step.
func retryBackoff(n int) time.Duration {
	d := 500 * time.Millisecond << min(n-1, 5)
	d = min(d, 15*time.Second)
	return d + rand.N(d/4+1)
}

// noteInvalidIndexes names the invalid indexes a failed file left behind
// (a failed CREATE INDEX CONCURRENTLY leaves one) in its error.
func (r *run) noteInvalidIndexes(ctx context.Context, se *StatementError) {
	ii, ok := r.m.d.(dialect.InvalidIndexer)
	if !ok || se == nil {
		return
	}
	if names, err := ii.InvalidIndexes(context.WithoutCancel(ctx), r.conn); err == nil {
		se.InvalidIndexes = names
	}
}
