package strata

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// RehearseFile is one pending file of a rehearsal.
type RehearseFile struct {
	File     string // display name
	Version  string // migration ID
	Duration time.Duration
	// Rehearsed is false for a file that was not run; Reason says why
	// (it cannot run in a transaction, or an earlier file failed).
	Rehearsed bool
	Reason    string
	// Err is the file's failure (a [*StatementError] names file:line).
	Err error
}

// RehearseResult is what a rehearsal found.
type RehearseResult struct {
	Files []RehearseFile
}

// OK reports whether every rehearsed file ran.
func (r *RehearseResult) OK() bool {
	return !slices.ContainsFunc(r.Files, func(f RehearseFile) bool { return f.Err != nil })
}

// Rehearse runs the pending files against the real database inside one
// transaction and rolls it back: it proves they apply to the real data,
// times each file, and changes nothing (the history included). It holds
// the migration lock meanwhile, so no one applies files during it. Files
// that cannot run in a transaction are listed as not rehearsed, with the
// reason. It stops at the first file that fails: the transaction is then
// aborted. It refuses on databases that commit DDL implicitly (MySQL,
// MariaDB), where a rollback would not undo the files.
func (m *Migrator) Rehearse(ctx context.Context) (*RehearseResult, error) {
	if !m.d.TransactionalDDL() {
		return nil, &ConfigError{Kind: ConfigRehearseNotPossible, Database: m.d.Name(),
			Msg: fmt.Sprintf("Rehearse is not possible on %s: it commits DDL implicitly, so the rehearsal could not be rolled back and would change the database; use Verify, which applies the migrations to a scratch database", m.d.Name())}
	}
	p, err := m.Plan(ctx, PlanOptions{})
	if err != nil {
		return nil, err
	}
	res := &RehearseResult{}
	if len(p.Steps) == 0 {
		return res, nil
	}
	err = m.underLock(ctx, p, func(r *run, steps []Step) error {
		if len(steps) == 0 {
			return nil // another run applied them while this one waited for the lock
		}
		tx, err := r.conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		defer func() {
			_ = tx.Rollback()
			r.restoreLockTimeout(ctx)
			if r.changed {
				_ = r.resetAfter(ctx, steps[len(steps)-1])
			}
		}()
		failed := false
		for _, step := range steps {
			rf := RehearseFile{File: step.File, Version: step.Migration.ID()}
			switch {
			case failed:
				rf.Reason = "an earlier file failed, which aborted the transaction"
			case !step.Transactional:
				rf.Reason = "it cannot run in a transaction: " + step.Reason
			case step.ResumeFrom > 0:
				rf.Reason = "it stopped half-way in an earlier run"
			default:
				start := time.Now()
				m.emit(Event{Kind: EventMigrationStart, Migration: step.Migration})
				err := r.setLockTimeout(ctx, tx, step, true)
				if err == nil {
					_, err = r.exec(ctx, tx, step, nil)
				}
				rf.Rehearsed, rf.Duration, rf.Err = true, time.Since(start), err
				if se, ok := err.(*StatementError); ok {
					se.Outcome = "rolled back with the whole rehearsal; nothing changed"
				}
				failed = err != nil
			}
			res.Files = append(res.Files, rf)
		}
		return nil
	})
	return res, err
}
