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

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
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
	if m.knownPooled() {
		if err := m.inPooledTx(ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
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
			err = r.resetPooledTx(ctx, tx)
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

// outside is the per-direction bookkeeping of a file run outside a
// transaction, where the history row is written as running first,
// progress after each statement, and the outcome at the end.
type outside interface {
	direction
	// begin writes step's history row as running, before any statement.
	begin(ctx context.Context, step Step, start time.Time) error
	// stopped records the outcome of step, which stopped with err (se
	// when a statement failed) after n statements, and sets se.Outcome;
	// it returns the error that kept the outcome from being written.
	stopped(ctx context.Context, step Step, n int, start time.Time, err error, se *StatementError) error
	// unrecorded is se.Outcome when the outcome could not be written.
	unrecorded(step Step, n int, ferr error) string
	// finish records step, which ran all n statements, and the progress
	// of the last one that prog still owes (progress.flush or lastSum).
	finish(ctx context.Context, step Step, n int, start time.Time, prog *progress) error
}

// noTxAs runs one file outside a transaction, whatever the direction:
// the file's lock timeout, the running row, each statement after a check
// of the lock (with its progress update in the same implicit transaction
// where the dialect has one, dialect.ImplicitTx, else after it and before
// the next statement is sent, fenced; the last statement's with the
// outcome, in one write), and the outcome, recorded even when the run was
// cancelled or the connection died (recordSomehow).
func (r *run) noTxAs(ctx context.Context, step Step, dir outside) error {
	m := r.m
	start := time.Now()
	path, sum := dir.file(step)
	if err := r.checkPooledNoTx(step, path); err != nil {
		return err
	}
	m.emit(Event{Kind: EventMigrationStart, Migration: step.Migration, File: step.File})
	defer r.restoreLockTimeout(ctx)
	if err := r.setLockTimeout(ctx, r.conn, step, false); err != nil {
		return err
	}
	id := step.Migration.ID()
	r.together = r.progressTogether(id)
	defer func() { r.together = nil }()
	prog := &progress{record: func(i int, stmt *sqlsplit.Statement) error {
		return r.store.Advance(ctx, r.conn, id, i, StatementChecksum(stmt.Text)+",")
	}}
	if q, ok := r.pipelinedBegin(ctx, step, dir, start); ok {
		prog.begin, prog.begun = &q, func() error { return dir.begin(ctx, step, start) }
	} else if err := dir.begin(ctx, step, start); err != nil {
		return err
	}
	n, err := r.execFile(ctx, r.conn, step, path, sum, prog)
	if be := (*beginError)(nil); errors.As(err, &be) {
		return be.err // as when the row was written first: nothing ran
	}
	if berr := prog.writeBegin(); berr != nil {
		// No statement was sent (none in the file, or it stopped
		// before the first): the row first, as always.
		return errors.Join(err, berr)
	}
	if err == nil {
		err = dir.finish(ctx, step, n, start, prog)
		if err != nil && prog.last == nil {
			return err
		}
		// The last statement's progress was not written either (it goes
		// with the outcome): record how far the file got, as when a
		// progress write fails after any other statement.
	}
	if err != nil {
		var se *StatementError
		errors.As(err, &se)
		r.noteInvalidIndexes(ctx, se)
		if ferr := dir.stopped(ctx, step, n, start, err, se); ferr != nil {
			if se == nil {
				err = errors.Join(err, ferr)
			} else {
				// Usually the connection died (cut by the server, or
				// closed by the driver on Ctrl-C): say so instead of
				// claiming an outcome that was never written.
				se.Outcome = dir.unrecorded(step, n, ferr)
			}
		}
		m.emit(Event{Kind: EventMigrationError, Migration: step.Migration, File: step.File, Err: err, Duration: time.Since(start)})
		return err
	}
	dir.done(Applied{Migration: step.Migration, File: step.File, Duration: time.Since(start), Statements: n})
	return nil
}

// pipelinedBegin returns the query that writes step's running row, when
// it can go in the same round trip as the file's first statement: a
// dialect that pipelines (dialect.Pipeliner) and runs each statement of a
// pipeline on its own (not dialect.ImplicitTx, where a statement such as
// CREATE INDEX CONCURRENTLY could not share it), a direction that writes
// the row with one plain insert (a new run of an up file), and a file
// with a statement to send. It saves a round trip per file outside a
// transaction.
func (r *run) pipelinedBegin(ctx context.Context, step Step, dir outside, start time.Time) (dialect.Query, bool) {
	pl, ok := r.m.d.(dialect.Pipeliner)
	b, plain := dir.(interface {
		beginQuery(step Step, start time.Time) (dialect.Query, bool)
	})
	if !ok || !plain || r.together != nil || step.Statements == 0 || r.m.knownPooled() {
		return dialect.Query{}, false
	}
	q, ok := b.beginQuery(step, start)
	if !ok {
		return dialect.Query{}, false
	}
	if r.pipe == nil {
		can := pl.CanPipeline(ctx, r.conn)
		r.pipe = &can
	}
	return q, *r.pipe
}

// arm readies the work connection for a run of files: on MySQL the
// running statement stopped on the server when the run is cancelled
// (armKill), and the connection tagged so a dead run's statement is seen
// still executing (markWork). The returned function undoes both; call it
// even when arm fails.
func (r *run) arm(ctx context.Context) (func(), error) {
	undo := func() {
		r.unmarkWork(ctx)
		r.disarmKill()
	}
	if err := r.armKill(ctx); err != nil {
		return undo, err
	}
	return undo, r.markWork(ctx)
}
