package strata

import (
	"context"
	"fmt"
)

// RedoResult is what [Migrator.Redo] did: the roll-back of the newest
// applied migration ([DirectionDown]) and its new run.
type RedoResult struct {
	Down *Result
	Up   *Result
}

// Redo rolls back the newest applied migration with its down file and
// applies it again (strata redo), under one hold of the migration lock. It
// refuses, before anything runs, for the same reasons as [Migrator.PlanDown], and
// when the up file cannot be scanned. When the up file fails, the down has
// already happened: the migration is then pending (or partial on MySQL),
// as after a failed up.
func (m *Migrator) Redo(ctx context.Context) (*RedoResult, error) {
	p, err := m.PlanDown(ctx, DownOptions{Steps: 1})
	if err != nil {
		return nil, err
	}
	if len(p.Steps) == 0 {
		return nil, &ConfigError{Kind: ConfigNothingToRedo, Msg: "nothing to redo: no migration is applied; apply one with Up"}
	}
	res := &RedoResult{Down: &Result{Direction: DirectionDown, Current: p.Status.Current}, Up: &Result{Direction: DirectionUp}}
	wait, err := m.locked(ctx, func(ctx context.Context, s *session) error {
		steps, err := m.downAgain(s.st, p)
		if err != nil {
			return err
		}
		if len(steps) == 0 {
			// Another run rolled it back meanwhile: nothing is left to redo.
			return fmt.Errorf("redo %s: %w", p.Steps[0].File, ErrHistoryChanged)
		}
		mig := steps[0].Migration
		up := Step{Migration: mig, File: m.display(mig.Path)}
		lim := p.limit
		if err := m.inspect(&up, lim, nil); err != nil {
			return err
		}
		if m.cfg.txMode == TxAll && !up.Transactional {
			return txAllFile(up)
		}
		r := &run{m: m, conn: s.c, appliedBy: s.appliedBy, res: res.Up, lim: lim, lock: s.lock, store: m.store.Fenced(s.lock.fence)}
		defer func() { s.c, s.changed = r.conn, r.changed }()
		d := &downRun{run: r, s: s, res: res.Down, reason: "strata redo"}
		s.snapshot = "redo"
		if err := d.steps(ctx, steps, TxPerFile); err != nil {
			return err
		}
		res.Up.Current = res.Down.Current
		// The up file runs as Apply runs it: pipelined in one round trip
		// where the dialect can, else in a transaction, else outside one.
		err = r.one(ctx, up)
		if err == nil {
			err = r.resetAfter(ctx, up)
		}
		return err
	})
	res.Down.LockWait, res.Up.LockWait = wait, wait
	return res, err
}
