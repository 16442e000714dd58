package strata

import (
	"context"
	"fmt"
)

// RedoResult is what Redo did: the roll-back of the newest applied
// migration and its new run.
type RedoResult struct {
	Down *DownResult
	Up   *Result
}

// Redo rolls back the newest applied migration with its down file and
// applies it again (strata redo), under one hold of the migration lock. It
// refuses, before anything runs, for the same reasons as PlanDown, and
// when the up file cannot be scanned. When the up file fails, the down has
// already happened: the migration is then pending (or partial on MySQL),
// as after a failed up.
func (m *Migrator) Redo(ctx context.Context) (*RedoResult, error) {
	p, err := m.PlanDown(ctx, DownOptions{Steps: 1})
	if err != nil {
		return nil, err
	}
	if len(p.Steps) == 0 {
		return nil, &ConfigError{Msg: "nothing to redo: no migration is applied; run strata up"}
	}
	res := &RedoResult{Down: &DownResult{Current: p.Status.Current}, Up: &Result{}}
	wait, err := m.locked(ctx, func(ctx context.Context, s *session) error {
		p2, err := m.planDown(s.st, DownOptions{Steps: 1}, p.limit)
		if err != nil {
			return err
		}
		if !sameSteps(p.Steps, p2.Steps) {
			return fmt.Errorf("redo: %w", ErrHistoryChanged)
		}
		mig := p2.Steps[0].Migration
		up := Step{Migration: mig, File: m.display(mig.Path)}
		lim := p.limit
		if err := m.inspect(&up, lim, nil); err != nil {
			return err
		}
		if m.cfg.txMode == TxAll && !up.Transactional {
			return &ConfigError{Msg: fmt.Sprintf("--tx=all: %s cannot run in a transaction (%s); run without --tx=all", up.File, up.Reason)}
		}
		r := &run{m: m, conn: s.c, appliedBy: s.appliedBy, res: res.Up, lim: lim}
		defer func() { s.c = r.conn }()
		d := &downRun{run: r, s: s, res: res.Down, reason: "strata redo"}
		if err := d.steps(ctx, p2.Steps, TxPerFile); err != nil {
			return err
		}
		res.Up.Current = res.Down.Current
		if up.Transactional {
			err = r.inTx(ctx, []Step{up})
		} else {
			err = r.noTx(ctx, up)
		}
		if err == nil {
			err = r.resetAfter(ctx, up)
		}
		return err
	})
	res.Down.LockWait, res.Up.LockWait = wait, wait
	return res, err
}
