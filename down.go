package strata

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// DownOptions choose which applied migrations a down run rolls back,
// newest first. Steps and To are exclusive; with neither, one migration is
// rolled back (strata down).
type DownOptions struct {
	// Steps is how many applied migrations to roll back (strata down N).
	Steps int
	// To rolls back every applied migration above this version; To itself
	// stays applied (strata down --to VERSION). Version 0 rolls back every
	// versioned migration.
	To source.Version
	// Reason is kept in the audit trail with each rolled-back version
	// (optional).
	Reason string
}

// Down plans and runs a roll-back (strata down): [Migrator.PlanDown], then
// [Migrator.Apply]. The [Result] lists the down files that ran, newest
// first.
func (m *Migrator) Down(ctx context.Context, opts DownOptions) (*Result, error) {
	p, err := m.PlanDown(ctx, opts)
	if err != nil {
		return nil, err
	}
	return m.Apply(ctx, p)
}

// PlanDown makes a down [Plan] ([DirectionDown]) for [Migrator.Apply]: it
// lists the applied migrations to roll back, newest first, and scans their
// down files. Each [Step]'s File is then the down file's display name,
// Statements counts the down file's statements, and Transactional says
// whether the down file runs in a transaction with the removal of the
// history row. Making it reads the history without the lock and changes
// nothing. It refuses with a [*RefusedError], before anything runs,
// when a needed down file is missing, when an up file to roll back was
// edited or is gone (or is newer than every file in the folder: the
// database is ahead of it), or when the history has a failed, partial or
// interrupted row. An empty plan means nothing is applied.
func (m *Migrator) PlanDown(ctx context.Context, opts DownOptions) (*Plan, error) {
	if err := checkReason(opts.Reason, false); err != nil {
		return nil, fmt.Errorf("cannot roll back: %w", err)
	}
	st, err := m.statusOf(ctx, false)
	if err != nil {
		return nil, err
	}
	lim, err := m.statementLimit(ctx)
	if err != nil {
		return nil, err
	}
	return m.planDown(st, opts, lim)
}

func (m *Migrator) planDown(st *Status, opts DownOptions, lim limit) (*Plan, error) {
	if opts.Steps < 0 {
		return nil, &ConfigError{Msg: fmt.Sprintf("cannot roll back %d migrations: give a positive number", opts.Steps)}
	}
	if opts.Steps > 0 && !opts.To.IsZero() {
		return nil, &ConfigError{Kind: ConfigDownStepsAndTo, Msg: "give either a number of migrations to roll back (Steps) or a version to roll back to (To), not both"}
	}
	p := &Plan{Direction: DirectionDown, TxMode: m.cfg.txMode, Dialect: m.d.Name(), TransactionalDDL: m.d.TransactionalDDL(), Status: st, down: opts, limit: lim}
	var probs []Problem
	var applied []*MigrationStatus
	for i := range st.Migrations {
		ms := &st.Migrations[i]
		if incomplete(ms) {
			probs = append(probs, Problem{Direction: DirectionDown, Kind: ProblemIncomplete, Version: ms.ID, File: ms.File,
				Detail: describeIncomplete(*ms), Remedy: RemedySettleFirst, Hint: "settle it first with Resolve and ResolveApplied or ResolveRolledBack"})
			continue
		}
		if ms.Kind != string(source.Repeatable) && ms.rec != nil && ms.rec.Status == history.Applied {
			applied = append(applied, ms)
		}
	}
	slices.SortFunc(applied, func(a, b *MigrationStatus) int { return b.Version.Compare(a.Version) })
	var targets []*MigrationStatus
	switch {
	case !opts.To.IsZero():
		if opts.To.String() != "0" && findStatus(st, opts.To.String()) == nil {
			return nil, unknownVersion(st, opts.To.String())
		}
		for _, ms := range applied {
			if ms.Version.Compare(opts.To) > 0 {
				targets = append(targets, ms)
			}
		}
	default:
		n := max(opts.Steps, 1)
		if len(applied) > 0 && n > len(applied) {
			return nil, &ConfigError{Kind: ConfigDownTooMany, Count: n, Applied: len(applied),
				Msg: fmt.Sprintf("cannot roll back %d migrations: only %d are applied; roll back %d, or to version 0 to roll back every one", n, len(applied), len(applied))}
		}
		targets = applied[:min(n, len(applied))]
	}
	for _, ms := range targets {
		mig := ms.Migration
		switch {
		case ms.State == StateAhead:
			probs = append(probs, Problem{Direction: DirectionDown, Kind: ProblemAhead, Version: ms.ID, File: ms.File,
				Detail: "version " + ms.ID + "'s file is not in this folder: the database is ahead of it (its newest file is " + st.Head.String() + ")",
				Remedy: RemedyFromNewerRelease, Hint: "roll it back from the release that has " + ms.File + " and its down file"})
		case mig == nil:
			probs = append(probs, Problem{Direction: DirectionDown, Kind: ProblemMissing, Version: ms.ID, File: ms.File,
				Detail: "the applied migration's file is missing from the folder", Remedy: RemedyRestoreFile, Hint: "restore it with its down file"})
		case ms.State == StateEdited:
			probs = append(probs, Problem{Direction: DirectionDown, Kind: ProblemEdited, Version: ms.ID, File: ms.File,
				Detail: fmt.Sprintf("the up file was edited since it was applied (checksum %s, recorded %s), so its down file may not undo what ran", short(ms.Checksum), short(ms.RecordedChecksum)),
				Remedy: RemedyAcceptEdit, Hint: "restore the up file as it was applied, or if the edit is deliberate accept it first with Resolve and ResolveAcceptEdit"})
		case mig.DownPath == "":
			probs = append(probs, Problem{Direction: DirectionDown, Kind: ProblemNoDownFile, Version: ms.ID, File: ms.File,
				Detail: "it has no down file", Remedy: RemedyWriteDownFile, DownFile: m.display(downFileName(mig.Path)),
				Hint: "write " + m.display(downFileName(mig.Path)) + " that undoes it, or undo it by hand"})
		default:
			step := Step{Migration: mig, File: m.display(mig.DownPath)}
			if err := m.inspectDown(&step, lim); err != nil {
				return nil, err
			}
			if m.cfg.txMode == TxAll && !step.Transactional {
				return nil, txAllFile(step)
			}
			p.Steps = append(p.Steps, step)
		}
	}
	if len(probs) > 0 {
		return nil, &RefusedError{Direction: DirectionDown, Problems: probs}
	}
	return p, nil
}

// downFileName is the down file that belongs to up file p.
func downFileName(p string) string {
	n := strings.TrimSuffix(strings.TrimSuffix(p, ".sql"), ".up")
	return n + ".down.sql"
}

// inspectDown scans a down file once, like inspect for up files.
func (m *Migrator) inspectDown(step *Step, lim limit) error {
	step.Transactional = true
	if step.Migration.DownDirectives.NoTransaction {
		step.Transactional, step.Reason, step.ReasonKind = false, "the file says -- strata:no-transaction", ReasonNoTransactionDirective
	}
	for stmt, err := range m.statements(step.Migration.DownPath, nil, lim) {
		if err != nil {
			return err
		}
		step.Statements++
		step.schemaChange = step.schemaChange || !dataOnly(stmt.Text)
		if step.Transactional {
			m.noTxStatement(step, stmt)
		}
	}
	return nil
}

// applyDown is Apply for a down plan (p.Steps is not empty). Under the
// lock it plans again: files another run rolled back meanwhile are
// skipped, and it refuses with ErrHistoryChanged when the history now calls
// for a file the plan did not list (see replanned). Each down file runs in
// a transaction with the removal of its history row and an audit entry
// where the database allows; otherwise (MySQL DDL) statement by statement
// with progress recorded, so a failure leaves the row partial with an
// error naming the down file.
func (m *Migrator) applyDown(ctx context.Context, p *Plan, res *Result) (*Result, error) {
	var err error
	res.LockWait, err = m.locked(ctx, func(ctx context.Context, s *session) error {
		res.Current, res.Ahead = s.st.Current, s.st.Ahead
		steps, err := m.downAgain(s.st, p)
		if err != nil {
			return err
		}
		r := &run{m: m, conn: s.c, appliedBy: s.appliedBy, res: &Result{}, lim: p.limit, lock: s.lock, store: m.store.Fenced(s.lock.fence)}
		defer func() { s.c, s.changed = r.conn, r.changed }()
		d := &downRun{run: r, s: s, res: res, reason: strings.TrimSpace(p.down.Reason)}
		if len(steps) > 0 {
			s.snapshot = "down"
			s.dataOnly, s.from = stepsDataOnly(steps), s.st.Current.String()
		}
		return d.steps(ctx, steps, m.cfg.txMode)
	})
	return res, err
}

// downRun is the state of one roll-back.
type downRun struct {
	*run
	s      *session
	res    *Result // the down run's result (run.res is unused)
	reason string
}

// steps runs the down files as up files run: each file's lock timeout
// (WithDDLLockTimeout or the up file's -- strata:lock-timeout), retries of
// transactional files after a lock timeout or deadlock (WithRetries), on
// MySQL the running statement stopped on the server when the run is
// cancelled and the work connection tagged (dialect.WorkMarker), and files
// outside a transaction through the same executor (noTxAs).
func (d *downRun) steps(ctx context.Context, steps []Step, mode TxMode) error {
	disarm, err := d.arm(ctx)
	defer disarm()
	if err != nil {
		return err
	}
	if mode == TxAll {
		return d.retry(ctx, steps, func() error { return d.inTx(ctx, steps) })
	}
	for _, step := range steps {
		var err error
		if step.Transactional {
			err = d.retry(ctx, []Step{step}, func() error { return d.inTx(ctx, []Step{step}) })
		} else {
			err = d.noTx(ctx, step)
		}
		if err == nil {
			err = d.resetAfter(ctx, step)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// record returns the history row of step's migration as read under the lock.
func (d *downRun) record(step Step) history.Record {
	return *findStatus(d.s.st, step.Migration.ID()).rec
}

func (d *downRun) auditDown(step Step, newState State, detail string) history.AuditEntry {
	rec := d.record(step)
	e := d.s.audit(d.m, rec.ID, history.ActionDown, StateApplied, newState, rec.Checksum, "", d.reason)
	e.Detail = detail
	return e
}

// inTx runs down files in one transaction, removing each history row and
// writing its audit entry in the same transaction.
func (d *downRun) inTx(ctx context.Context, steps []Step) error {
	return d.inTxAs(ctx, steps, d)
}

func (d *downRun) file(step Step) (string, string) {
	return step.Migration.DownPath, step.Migration.DownChecksum
}

func (d *downRun) recordTx(ctx context.Context, tx *sql.Tx, step Step, n int, _ time.Time) error {
	if err := d.m.store.Delete(ctx, tx, step.Migration.ID()); err != nil {
		return err
	}
	if err := d.m.keepReverted(ctx, tx, step, d.s.st); err != nil {
		return err
	}
	return d.m.store.AddAudit(ctx, tx, d.auditDown(step, StatePending, fmt.Sprintf("ran %s: %d statements", step.File, n)))
}

func (d *downRun) rolledBack(many bool) string {
	if many {
		return "rolled back with every other down file of this run (one transaction for all of them); every migration is still applied and recorded"
	}
	return "rolled back; the migration is still applied and recorded"
}

func (d *downRun) done(a Applied) {
	d.m.emit(Event{Kind: EventMigrationDone, Migration: a.Migration, File: a.File, Duration: a.Duration})
	d.res.Applied = append(d.res.Applied, a)
	d.res.Current = source.Version{}
	for _, ms := range d.s.st.Migrations {
		if ms.rec == nil || ms.Kind == string(source.Repeatable) || ms.rec.Status != history.Applied {
			continue
		}
		gone := slices.ContainsFunc(d.res.Applied, func(x Applied) bool { return x.Migration.ID() == ms.ID })
		if !gone && ms.Version.Compare(d.res.Current) > 0 {
			d.res.Current = ms.Version
		}
	}
}

// noTx runs a down file outside a transaction (noTxAs): the history row
// is marked running first, progress is recorded after each statement, and
// the row is removed at the end. A failure after some statements leaves the
// row partial with an error naming the down file; a failure before any
// statement completed restores the row, since the database is unchanged.
func (d *downRun) noTx(ctx context.Context, step Step) error {
	return d.noTxAs(ctx, step, d)
}

// running is step's history row while its down file runs.
func (d *downRun) running(step Step, start time.Time) history.Record {
	running := d.record(step)
	running.Status, running.StatementsApplied, running.StatementsTotal = history.Running, 0, step.Statements
	// The file column names the down file while it runs and after it stops
	// half-way, so the row's progress is never taken for the up file's.
	running.File = step.Migration.DownPath
	running.StatementChecksums, running.Error = "", "rolling back: running down file "+step.File
	running.StartedAt, running.FinishedAt, running.AppliedBy = start, sql.NullTime{}, d.appliedBy
	return running
}

func (d *downRun) begin(ctx context.Context, step Step, start time.Time) error {
	return d.m.store.Update(ctx, d.conn, d.running(step, start))
}

func (d *downRun) stopped(ctx context.Context, step Step, n int, start time.Time, err error, se *StatementError) error {
	m := d.m
	if n == 0 {
		orig := d.record(step)
		if se != nil {
			se.Outcome = "stopped before any statement of it completed; the migration is still applied and its history row unchanged"
		}
		return d.recordSomehow(ctx, func(ctx context.Context, _ *history.Store, ex dialect.Execer) error {
			return m.store.Update(ctx, ex, orig)
		})
	}
	rec := d.running(step, start)
	rec.Status, rec.StatementsApplied = history.Partial, n
	rec.FinishedAt, rec.ExecutionMS = sql.NullTime{Time: time.Now(), Valid: true}, time.Since(start).Milliseconds()
	rec.Error = fmt.Sprintf("down file %s failed after %d of %d statements: %v", step.File, n, step.Statements, err)
	if se != nil {
		rec.Error = fmt.Sprintf("down file %s:%d: statement %d: %s; %d of %d statements of the down file were applied",
			se.File, se.Line, se.Index, se.rowText(), n, step.Statements)
		se.Outcome = fmt.Sprintf("recorded as partial: %d of %d statements of the down file were applied and committed; finish or undo them by hand, then resolve the migration as rolled back or as applied", n, step.Statements)
		se.Remedy = RemedyResolveDownRow
	}
	rec.Error = withStopCause(ctx, rec.Error)
	audit := d.auditDown(step, StatePartial, rec.Error)
	return d.recordSomehow(ctx, func(ctx context.Context, st *history.Store, ex dialect.Execer) error {
		if err := st.Finish(ctx, ex, rec); err != nil {
			return err
		}
		return m.store.AddAudit(ctx, ex, audit)
	})
}

func (d *downRun) unrecorded(step Step, n int, ferr error) string {
	return fmt.Sprintf("stopped after %d of %d statements of the down file were applied and committed, but that could not be recorded (%v): "+
		"its history row still says running, so it shows as interrupted", n, step.Statements, ferr)
}

func (d *downRun) finish(ctx context.Context, step Step, n int, _ time.Time, prog *progress) error {
	// The row is removed in a transaction of its own: the last
	// statement's progress is recorded first, as for the others, so a
	// removal that fails leaves the row saying how far the file got.
	if err := prog.flush(); err != nil {
		return err
	}
	return d.s.inTx(ctx, func(tx *sql.Tx) error {
		return d.recordTx(ctx, tx, step, n, time.Time{})
	})
}
