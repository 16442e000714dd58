package strata

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
)

// VerifyOptions choose what [Migrator.Verify] checks beyond applying every file.
type VerifyOptions struct {
	// Idempotent runs each file a second time right after it was
	// applied, outside the history, and reports the files that fail the
	// second time. Where the database rolls back DDL (PostgreSQL, SQLite)
	// and the file runs in a transaction, the second run is rolled back.
	Idempotent bool
	// Down then runs every down file, newest first, checks that nothing
	// but strata's own tables (and what repeatable migrations created) is
	// left, and applies everything again.
	Down bool
}

// The phases of a verify run.
const (
	PhaseUp      = "up"      // the file applied from zero
	PhaseAgain   = "again"   // the file run a second time (Idempotent)
	PhaseDown    = "down"    // the down file (Down)
	PhaseReapply = "reapply" // the file applied again after every down file (Down)
)

// VerifyFile is the outcome of one file in one phase.
type VerifyFile struct {
	Phase    string
	File     string // display name
	Version  string // migration ID
	Duration time.Duration
	// Err is nil when the file ran; a [*StatementError] names file:line.
	Err error
}

// VerifyResult is what [Migrator.Verify] found. OK reports whether all went well.
type VerifyResult struct {
	Files []VerifyFile
	// Leftovers are the objects still there after every down file ran
	// (Down), other than strata's tables and what repeatables created.
	Leftovers []string
}

// OK reports whether every file ran and nothing was left over.
func (r *VerifyResult) OK() bool {
	return len(r.Leftovers) == 0 && !slices.ContainsFunc(r.Files, func(f VerifyFile) bool { return f.Err != nil })
}

// Verify applies every migration to the [Migrator]'s database, which must be
// a new, empty scratch database (strata verify creates one), one file at a
// time, and reports each file's outcome. It stops at the first file that
// fails. The returned error is for problems outside the files (connecting,
// the lock); a file's failure is in the result.
func (m *Migrator) Verify(ctx context.Context, opts VerifyOptions) (*VerifyResult, error) {
	res := &VerifyResult{}
	base, err := m.objects(ctx)
	if err != nil {
		return nil, err
	}
	p, err := m.Plan(ctx, PlanOptions{})
	if err != nil {
		return nil, err
	}
	var beforeRepeatables []string
	err = m.underLock(ctx, p, func(r *run, steps []Step) error {
		for _, step := range steps {
			if step.Migration.Kind == source.Repeatable && beforeRepeatables == nil {
				if beforeRepeatables, err = m.objectsOn(ctx, r.conn); err != nil {
					return err
				}
			}
			start := time.Now()
			err := r.one(ctx, step)
			if err == nil {
				err = r.resetAfter(ctx, step)
			}
			res.Files = append(res.Files, VerifyFile{Phase: PhaseUp, File: step.File, Version: step.Migration.ID(), Duration: time.Since(start), Err: err})
			if err != nil || !opts.Idempotent {
				if err != nil {
					return nil
				}
				continue
			}
			start = time.Now()
			err = r.again(ctx, step)
			res.Files = append(res.Files, VerifyFile{Phase: PhaseAgain, File: step.File, Version: step.Migration.ID(), Duration: time.Since(start), Err: err})
		}
		return nil
	})
	if err != nil || !res.OK() || !opts.Down {
		return res, err
	}
	afterUp, err := m.objects(ctx)
	if err != nil {
		return res, err
	}
	if beforeRepeatables == nil {
		beforeRepeatables = afterUp
	}
	zero, _ := source.ParseVersion("0")
	down, err := m.Down(ctx, DownOptions{To: zero, Reason: "strata verify --down"})
	if down != nil {
		for _, a := range down.Applied {
			res.Files = append(res.Files, VerifyFile{Phase: PhaseDown, File: a.File, Version: a.Migration.ID(), Duration: a.Duration})
		}
	}
	if err != nil {
		return res, m.verifyFailure(res, PhaseDown, err)
	}
	after, err := m.objects(ctx)
	if err != nil {
		return res, err
	}
	for _, o := range after {
		madeByRepeatable := slices.Contains(afterUp, o) && !slices.Contains(beforeRepeatables, o)
		if !slices.Contains(base, o) && !madeByRepeatable {
			res.Leftovers = append(res.Leftovers, o)
		}
	}
	if len(res.Leftovers) > 0 {
		return res, nil
	}
	up, err := m.Up(ctx, PlanOptions{})
	if up != nil {
		for _, a := range up.Applied {
			res.Files = append(res.Files, VerifyFile{Phase: PhaseReapply, File: a.File, Version: a.Migration.ID(), Duration: a.Duration})
		}
	}
	if err != nil {
		return res, m.verifyFailure(res, PhaseReapply, err)
	}
	return res, nil
}

// verifyFailure records the failure of a down or reapply phase as a file's
// outcome when it names a file, and returns other errors.
func (m *Migrator) verifyFailure(res *VerifyResult, phase string, err error) error {
	var se *StatementError
	var fe *source.FileError
	var dr *RefusedError
	switch {
	case errors.As(err, &se):
		res.Files = append(res.Files, VerifyFile{Phase: phase, File: se.File, Version: se.Version, Err: err})
	case errors.As(err, &fe) && len(fe.Files) > 0:
		res.Files = append(res.Files, VerifyFile{Phase: phase, File: fe.Files[0], Err: err})
	case errors.As(err, &dr) && dr.Direction == DirectionDown:
		for _, p := range dr.Problems {
			res.Files = append(res.Files, VerifyFile{Phase: phase, File: p.File, Version: p.Version, Err: fmt.Errorf("%s: %s; %s", p.File, p.Detail, p.Hint)})
		}
	default:
		return err
	}
	return nil
}

// underLock runs f with a run on a pinned connection holding the lock,
// with the history table in place, the kill-on-cancel of the dialect armed
// (dialect.QueryKiller), and the steps of p made again from the history
// read under the lock (see replanned): files another run applied
// meanwhile are not run a second time.
func (m *Migrator) underLock(ctx context.Context, p *Plan, f func(r *run, steps []Step) error) error {
	_, err := m.locked(ctx, func(ctx context.Context, s *session) error {
		p2, err := m.plan(s.st, p.opts, p, p.limit)
		if err != nil {
			return err
		}
		steps, err := replanned(p.Steps, p2.Steps)
		if err != nil {
			return err
		}
		r := &run{m: m, conn: s.c, appliedBy: s.appliedBy, res: &Result{}, lim: p.limit, lock: s.lock, store: m.store.Fenced(s.lock.fence)}
		defer func() { s.c, s.changed = r.conn, r.changed }()
		if err := r.armKill(ctx); err != nil {
			return err
		}
		defer r.disarmKill()
		return f(r, steps)
	})
	return err
}

// again runs a file's statements a second time, outside the history: in a
// transaction that is rolled back where the database can roll back DDL,
// else directly.
func (r *run) again(ctx context.Context, step Step) error {
	step.ResumeFrom = 0
	if step.Transactional && r.m.d.TransactionalDDL() {
		tx, err := r.conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		defer tx.Rollback()
		_, err = r.exec(ctx, tx, step, nil)
		return againError(err)
	}
	_, err := r.exec(ctx, r.conn, step, nil)
	if rerr := r.resetAfter(ctx, step); err == nil {
		err = rerr
	}
	return againError(err)
}

func againError(err error) error {
	var se *StatementError
	if errors.As(err, &se) {
		se.Outcome = "run a second time right after it was applied, and failed: it cannot be run again (make it idempotent with IF NOT EXISTS / IF EXISTS, or ON CONFLICT)"
	}
	return err
}

// objects lists the database's objects other than strata's own tables.
func (m *Migrator) objects(ctx context.Context) ([]string, error) {
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer m.putBack(c, false)
	return m.objectsOn(ctx, c)
}

func (m *Migrator) objectsOn(ctx context.Context, q dialect.Execer) ([]string, error) {
	all, err := m.d.Objects(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list the database's objects: %w", err)
	}
	own := []string{m.cfg.table.Name, dialect.AuditTable(m.cfg.table).Name, dialect.SnapshotTable(m.cfg.table).Name, m.cfg.table.Name + "_lock"}
	var out []string
	for _, o := range all {
		name := o[strings.LastIndexAny(o, " .")+1:]
		if !slices.Contains(own, name) {
			out = append(out, o)
		}
	}
	return out, nil
}
