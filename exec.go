package strata

// The executor: one way to run files in a transaction, whatever the
// direction. What differs between up and down (which file, how the history
// records it, what a rollback means, what "done" adds to the result) is a
// small direction hook.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// direction is the per-direction bookkeeping of the executor.
type direction interface {
	// file is the file step runs (its path and its checksum when loaded).
	file(step Step) (path, sum string)
	// recordTx writes the history of step, which ran n statements, in tx.
	recordTx(ctx context.Context, tx *sql.Tx, step Step, n int, start time.Time) error
	// rolledBack is the outcome of a failed file whose transaction was
	// rolled back, alone or (many) with the other files of the run.
	rolledBack(many bool) string
	// done takes note of a file that ran and was committed.
	done(a Applied)
}

// inTxAs runs steps in one transaction, each file's history written in
// the same transaction by dir.
func (r *run) inTxAs(ctx context.Context, steps []Step, dir direction) error {
	m := r.m
	tx, err := r.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer r.restoreLockTimeout(ctx)
	if len(steps) == 1 {
		if ac := r.asyncCommit(); ac != "" {
			if _, err := tx.ExecContext(ctx, ac); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("%s: %w", ac, err)
			}
		}
	}
	var done []Applied
	for _, step := range steps {
		start := time.Now()
		m.emit(Event{Kind: EventMigrationStart, Migration: step.Migration, File: step.File})
		n, err := 0, r.setLockTimeout(ctx, tx, step, true)
		if err == nil {
			path, sum := dir.file(step)
			n, err = r.execFile(ctx, tx, step, path, sum, nil)
		}
		if err == nil {
			err = dir.recordTx(ctx, tx, step, n, start)
		}
		if err != nil {
			_ = tx.Rollback()
			var se *StatementError
			if errors.As(err, &se) {
				se.Outcome = dir.rolledBack(len(steps) > 1)
			}
			m.emit(Event{Kind: EventMigrationError, Migration: step.Migration, File: step.File, Err: err, Duration: time.Since(start)})
			return err
		}
		done = append(done, Applied{Migration: step.Migration, File: step.File, Duration: time.Since(start), Statements: n, Transactional: true})
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit %s: %w", steps[len(steps)-1].File, err)
	}
	for _, a := range done {
		dir.done(a)
	}
	return nil
}
