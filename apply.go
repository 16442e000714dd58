package strata

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/internal/lease"
	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

// Applied is one file a run applied: an up file (or a repeatable), or,
// in a down run, a down file, which rolled its migration back.
type Applied struct {
	Migration     *source.Migration
	File          string
	Duration      time.Duration
	Statements    int
	Transactional bool
}

// Result is what a run did ([Migrator.Apply], [Migrator.Up],
// [Migrator.Down]). On error, Applied lists the files that were applied
// (and committed) before the failure.
type Result struct {
	// Direction is the plan's: [DirectionDown] when the files were down
	// files, each rolling its migration back (newest first).
	Direction Direction
	Applied   []Applied
	LockWait  time.Duration
	// Current is the highest applied version after the run.
	Current source.Version
	// Ahead lists the applied versions above the folder's newest file
	// (Status.Ahead): the database is ahead of this folder.
	Ahead []source.Version
}

// Up plans and applies every pending file up to opts.To. When nothing is
// pending it returns without taking the lock.
func (m *Migrator) Up(ctx context.Context, opts PlanOptions) (*Result, error) {
	p, err := m.Plan(ctx, opts)
	if err != nil {
		return nil, err
	}
	return m.Apply(ctx, p)
}

// Apply runs a plan of either direction ([Migrator.Plan] or
// [Migrator.PlanDown]) under the migration lock. When the plan is empty
// (and no other run is applying a file, see [Plan].InProgress) it returns
// at once, without the lock: an up-to-date fleet never queues. Under the
// lock it reads the history again, so files another runner applied (or
// rolled back) in the meantime are skipped, and new problems are refused;
// a file the plan did not list is never run: Apply refuses with
// [ErrHistoryChanged]. A nil or zero [Plan] has nothing to do.
func (m *Migrator) Apply(ctx context.Context, p *Plan) (*Result, error) {
	res := &Result{Direction: DirectionUp}
	if p != nil && p.Direction == DirectionDown {
		res.Direction = DirectionDown
	}
	if p != nil && p.Status != nil {
		res.Current, res.Ahead = p.Status.Current, p.Status.Ahead
	}
	if p == nil || len(p.Steps) == 0 && !p.InProgress {
		return res, nil
	}
	if err := m.keepCheck(p.Steps); err != nil {
		return res, err
	}
	if res.Direction == DirectionDown {
		return m.applyDown(ctx, p, res)
	}
	var err error
	res.LockWait, err = m.locked(ctx, func(ctx context.Context, s *session) error {
		res.Current, res.Ahead = s.st.Current, s.st.Ahead
		p2, err := m.plan(s.st, p.opts, p, p.limit)
		if err != nil {
			return err
		}
		if p2.Steps, err = replanned(p.Steps, p2.Steps); err != nil {
			return err
		}
		if len(p2.Steps) > 0 {
			// Data-only files were not written against the schema's
			// shape in a way drift would break silently, and cannot
			// change it: no catalog reads before or after them.
			s.dataOnly, s.from = stepsDataOnly(p2.Steps), s.st.Current.String()
			if !s.dataOnly {
				if err := m.checkSchemaDrift(ctx, s); err != nil {
					return err
				}
			}
			s.snapshot = "up"
		}
		r := &run{m: m, conn: s.c, appliedBy: s.appliedBy, res: res, lim: p.limit, lock: s.lock, store: m.store.Fenced(s.lock.fence)}
		defer func() { s.c, s.changed = r.conn, r.changed }()
		disarm, err := r.arm(ctx)
		defer disarm()
		if err != nil {
			return err
		}
		if p2.TxMode == TxAll {
			err = r.retry(ctx, p2.Steps, func() error { return r.inTx(ctx, p2.Steps) })
		} else {
			_, async := m.d.(dialect.AsyncCommitter)
			for i, step := range p2.Steps {
				// Every file but the last may commit without waiting for the
				// log flush; the last one's commit flushes them all.
				r.async = async && i < len(p2.Steps)-1
				if err = r.retry(ctx, []Step{step}, func() error { return r.one(ctx, step) }); err != nil {
					break
				}
				if !r.async {
					r.unflushed = false // this file's commit flushed every earlier one
				}
				if err = r.resetAfter(ctx, step); err != nil {
					break
				}
			}
		}
		if err != nil && r.unflushed {
			err = r.waitDurable(ctx, err)
		}
		return lostLock(ctx, r.lock, err)
	})
	return res, err
}

// one runs one file in the way its step says.
func (r *run) one(ctx context.Context, step Step) error {
	switch {
	case step.Transactional && r.canPipeline(ctx, step):
		return r.pipelined(ctx, step)
	case step.Transactional:
		return r.inTx(ctx, []Step{step})
	}
	return r.noTx(ctx, step)
}

func (m *Migrator) appliedBy(dbUser string) string {
	who := dbUser
	if who == "" {
		who = m.osUser
	}
	if m.cfg.host != "" {
		who += " on " + m.cfg.host
	}
	return who
}

// lock takes the migration lock in the configured mode. In lease mode,
// losing the lease cancels ctx's work through cancel.
func (m *Migrator) lock(ctx context.Context, c *sql.Conn, cancel context.CancelCauseFunc) (*held, time.Duration, error) {
	start := time.Now()
	waiting := func(holder string) {
		m.emit(Event{Kind: EventLockWaiting, Holder: holder, Duration: time.Since(start)})
	}
	l, err := m.acquire(ctx, c, m.cfg.lockTimeout, waiting, cancel)
	wait := time.Since(start)
	if err != nil {
		var lt *dialect.LockTimeoutError
		if errors.As(err, &lt) {
			return nil, wait, lockTimeout{lt}
		}
		return nil, wait, err
	}
	m.emit(Event{Kind: EventLockAcquired, Duration: wait})
	return hold(l, cancel), wait, nil
}

// acquire takes the lock in the configured mode, without events.
func (m *Migrator) acquire(ctx context.Context, c *sql.Conn, timeout time.Duration, waiting func(string), lost func(error)) (dialect.Lock, error) {
	useLease, err := m.useLease(ctx)
	if err != nil {
		return nil, err
	}
	if useLease {
		return lease.Acquire(ctx, m.db, m.d, m.cfg.table, lease.Options{TTL: m.cfg.leaseTTL, Timeout: timeout, Waiting: waiting, Lost: lost, Exclude: m.excludeSession})
	}
	return m.acquireSession(ctx, c, timeout, waiting)
}

// run is the state of one Apply.
type run struct {
	m         *Migrator
	conn      *sql.Conn
	appliedBy string
	res       *Result
	changed   bool                            // the last file may have changed session state
	async     bool                            // the current file may commit without waiting for the log flush
	unflushed bool                            // a file was committed that way and no flush followed
	pipe      *bool                           // whether the connection can pipeline, once asked
	batch     *bool                           // whether the connection can run batches, once asked
	lim       limit                           // the server's largest statement
	restore   []string                        // statements that restore the session's lock timeout after a file
	unkill    func()                          // ends the dialect's kill-on-cancel arrangement for conn
	lock      *held                           // the migration lock the run holds
	store     *history.Store                  // the history, its writes fenced with lock
	unmark    func(context.Context) error     // frees the work connection's tag (dialect.WorkMarker)
	together  func(i int, text string) string // noTx: the statement sent with its own progress update, or ""
}

// exec sends a migration's up file to ex statement by statement; see
// execFile.
func (r *run) exec(ctx context.Context, ex dialect.Execer, step Step, prog *progress) (int, error) {
	return r.execFile(ctx, ex, step, step.Migration.Path, step.Migration.Checksum, prog)
}

// progress records, for a file run outside a transaction, each statement
// that completed. The record of a statement is written just before the
// next statement is sent (or before execFile returns an error), never
// later; that of the file's last statement is left to the caller (last),
// which writes it with the file's outcome, in the same history write.
type progress struct {
	record func(i int, stmt *sqlsplit.Statement) error
	// last is the statement that completed last, whose progress is not
	// recorded yet, and i its number; nil when none is owed.
	last *sqlsplit.Statement
	i    int
	// begin, when not nil, is the file's running row, not written yet:
	// execFile sends it in the same round trip as the first statement,
	// before it (see pipelinedBegin), and begun is how it is written
	// alone when it cannot go with one.
	begin *dialect.Query
	begun func() error
}

// writeBegin writes the file's running row alone if it is still owed.
func (p *progress) writeBegin() error {
	if p == nil || p.begin == nil {
		return nil
	}
	p.begin = nil
	return p.begun()
}

// flush records the progress owed, if any.
func (p *progress) flush() error {
	if p == nil || p.last == nil {
		return nil
	}
	if err := p.record(p.i, p.last); err != nil {
		return err // still owed
	}
	p.last = nil
	return nil
}

// lastSum is the short checksum list entry of the statement whose progress
// is owed ("" when none is): the caller's outcome write appends it.
func (p *progress) lastSum() string {
	if p == nil || p.last == nil {
		return ""
	}
	return StatementChecksum(p.last.Text) + ","
}

// beginError is the failure to write a file's running row: nothing of
// the file ran and there is no row to record an outcome in.
type beginError struct{ err error }

func (e *beginError) Error() string { return e.err.Error() }
func (e *beginError) Unwrap() error { return e.err }

// fits reports whether a statement of n bytes can share a round trip
// with a history row within the server's largest statement.
func (r *run) fits(n int) bool {
	return r.lim.bytes == 0 || n+64<<10 <= r.lim.bytes
}

// execFile sends the statements of file p (the up or down file of step) to
// ex one by one, skipping the first step.ResumeFrom, recording each with
// prog (if not nil; see progress; its running row goes with the first
// statement sent), and checks that the bytes it read still
// have checksum sum, the one the folder had when it was loaded.
func (r *run) execFile(ctx context.Context, ex dialect.Execer, step Step, p, sum string, prog *progress) (int, error) {
	m := r.m
	h := sha256.New()
	n := 0
	stmts := m.statements(p, h, r.lim)
	kept := p == step.Migration.Path && step.stmts != nil
	if tx, ok := ex.(*sql.Tx); ok && !kept && prog == nil && r.together == nil {
		if b, ok := r.canBatch(ctx, step); ok {
			return r.execBatched(ctx, tx, b, step, p, sum)
		}
	}
	switch {
	case kept:
		// Read and checksummed when the plan was made.
		stmts = func(yield func(sqlsplit.Statement, error) bool) {
			for _, s := range step.stmts {
				if !yield(s, nil) {
					return
				}
			}
		}
	case step.Migration.Size >= readAheadMin:
		stmts = readAhead(stmts)
	}
	for stmt, err := range stmts {
		if err != nil {
			return n, errors.Join(err, prog.flush())
		}
		n++
		if n <= step.ResumeFrom {
			continue // completed in an earlier run; plan checked it is unchanged
		}
		if m.d.ChangesSession(stmt.Text) {
			r.changed = true
		}
		// The previous statement's progress, before this one is sent.
		if err := prog.flush(); err != nil {
			return n - 1, err
		}
		if err := r.lock.check(ctx); err != nil {
			return n - 1, err // nothing is sent once the lock is known lost
		}
		m.emit(Event{Kind: EventStatementStart, Migration: step.Migration, File: step.File, Statement: &stmt, Index: n})
		text, recorded := stmt.Text, false
		if r.together != nil {
			if t := r.together(n, stmt.Text); t != "" {
				text, recorded = t, true
			}
		}
		if prog != nil && prog.begin != nil && !recorded && r.fits(len(text)) {
			// The running row and the first statement, in one round
			// trip: the server writes the row first and stops there if
			// that fails.
			q := *prog.begin
			prog.begin = nil
			done, err := r.m.d.(dialect.Pipeliner).Pipeline(ctx, r.conn, []dialect.Query{q, {SQL: text}})
			switch {
			case err == nil:
			case done == 0:
				return n - 1, &beginError{fmt.Errorf("record %s in history table %s: %w", step.Migration.ID(), m.store.Table(), err)}
			default:
				return n - 1, r.statementError(step, n, &stmt, err)
			}
		} else {
			if err := prog.writeBegin(); err != nil {
				return n - 1, &beginError{err}
			}
			if _, err := ex.ExecContext(ctx, text); err != nil {
				return n - 1, r.statementError(step, n, &stmt, err)
			}
		}
		if prog != nil && !recorded {
			prog.last, prog.i = &stmt, n
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); !kept && got != sum {
		return n, errors.Join(changedFile(step), prog.flush())
	}
	return n, nil
}

func (r *run) statementError(step Step, n int, stmt *sqlsplit.Statement, err error) *StatementError {
	first, _, _ := strings.Cut(stmt.Text, "\n")
	if len(first) > 200 {
		first = first[:200] + "..."
	}
	se := &StatementError{File: step.File, Version: step.Migration.ID(), Line: stmt.Line, Col: stmt.Col, Index: n, Statement: first, Database: r.m.d.Name(), Err: err}
	se.Code, se.Message, _ = r.m.d.ServerError(err)
	return se
}

func (r *run) record(step Step, status history.Status, n int, start time.Time) history.Record {
	mig := step.Migration
	kind := history.KindVersioned
	if mig.Kind == source.Repeatable {
		kind = history.KindRepeatable
	}
	rec := history.Record{
		ID: mig.ID(), Version: mig.Version.String(), Name: mig.Description, Kind: kind, File: mig.Path,
		Checksum: mig.Checksum, Status: status, StatementsApplied: n, StatementsTotal: step.Statements,
		StartedAt: start.Add(r.m.cfg.clockSkew), AppliedBy: r.appliedBy, StrataVersion: r.m.cfg.version, Phase: string(mig.Phase),
	}
	if status != history.Running {
		rec.FinishedAt = sql.NullTime{Time: time.Now().Add(r.m.cfg.clockSkew), Valid: true}
		rec.ExecutionMS = time.Since(start).Milliseconds()
	}
	return rec
}

// inTx runs up files in one transaction, each file's history row written
// in the same transaction.
func (r *run) inTx(ctx context.Context, steps []Step) error {
	return r.inTxAs(ctx, steps, upward{r})
}

// upward is the bookkeeping of up files.
type upward struct{ r *run }

func (u upward) file(step Step) (string, string) {
	return step.Migration.Path, step.Migration.Checksum
}

func (u upward) recordTx(ctx context.Context, tx *sql.Tx, step Step, n int, start time.Time) error {
	if step.Rerun {
		if err := u.r.m.store.Delete(ctx, tx, step.Migration.ID()); err != nil {
			return err
		}
	}
	if err := u.r.m.store.Insert(ctx, tx, u.r.record(step, history.Applied, n, start)); err != nil {
		return err
	}
	return u.r.m.keepApplied(ctx, tx, step)
}

func (upward) rolledBack(many bool) string {
	if many {
		return "rolled back with every other file of this run (one transaction for all of them); nothing was applied or recorded"
	}
	return "rolled back; nothing of it was applied or recorded"
}

func (u upward) done(a Applied) {
	u.r.m.emit(Event{Kind: EventMigrationDone, Migration: a.Migration, File: a.File, Duration: a.Duration})
	u.r.applied(a)
}

func (r *run) applied(a Applied) {
	r.res.Applied = append(r.res.Applied, a)
	if a.Statements == 0 && a.Migration.Kind == source.Versioned {
		// Comment-only files are valid, but a file applied before its SQL
		// was written cannot be finished later: say so now.
		r.m.emit(Event{Kind: EventEmptyMigration, Migration: a.Migration, File: a.File})
	}
	if a.Migration.Kind == source.Versioned && a.Migration.Version.Compare(r.res.Current) > 0 {
		r.res.Current = a.Migration.Version
	}
}

// noTx runs an up file outside a transaction (noTxAs): its history row is
// written as running first, progress after each statement, and the outcome
// at the end, so a failure leaves a partial row naming the statement.
func (r *run) noTx(ctx context.Context, step Step) error {
	return r.noTxAs(ctx, step, upward{r})
}

func (u upward) begin(ctx context.Context, step Step, start time.Time) error {
	r, id := u.r, step.Migration.ID()
	if step.Rerun {
		if err := r.m.store.Delete(ctx, r.conn, id); err != nil {
			return err
		}
	}
	if step.resume {
		err := r.store.Restart(ctx, r.conn, r.record(step, history.Running, step.ResumeFrom, start))
		if err == nil {
			err = r.m.store.AddAudit(ctx, r.conn, r.resumeAudit(step))
		}
		return err
	}
	return r.store.Insert(ctx, r.conn, r.record(step, history.Running, 0, start))
}

// beginQuery is begin's insert, for a new run of the file (not a rerun
// or a resumed run, which change the row they find first).
func (u upward) beginQuery(step Step, start time.Time) (dialect.Query, bool) {
	if step.Rerun || step.resume {
		return dialect.Query{}, false
	}
	return u.r.store.InsertQuery(u.r.record(step, history.Running, 0, start)), true
}

func (u upward) stopped(ctx context.Context, step Step, n int, start time.Time, err error, se *StatementError) error {
	r := u.r
	status := history.Partial
	if n == 0 {
		status = history.Failed
	}
	rec := r.record(step, status, n, start)
	rec.Error = err.Error()
	if se != nil {
		se.Outcome = fmt.Sprintf("recorded as %s: %d of %d statements were applied and committed", status, n, step.Statements)
		rec.Error = fmt.Sprintf("%s:%d: statement %d: %s", se.File, se.Line, se.Index, se.rowText())
	}
	rec.Error = withStopCause(ctx, rec.Error)
	return r.finishSomehow(ctx, rec)
}

func (upward) unrecorded(step Step, n int, ferr error) string {
	return fmt.Sprintf("stopped after %d of %d statements were applied and committed, but that could not be recorded (%v): "+
		"its history row still says running, so it shows as interrupted, and the next run refuses and says how to continue", n, step.Statements, ferr)
}

func (u upward) finish(ctx context.Context, step Step, n int, start time.Time, prog *progress) error {
	// The last statement's progress and the outcome: one write.
	if err := u.r.store.FinishWith(ctx, u.r.conn, u.r.record(step, history.Applied, n, start), prog.lastSum()); err != nil {
		return err
	}
	prog.last = nil
	return u.r.m.keepApplied(ctx, u.r.conn, step)
}

// finishSomehow records the outcome of a failed file; see recordSomehow.
func (r *run) finishSomehow(ctx context.Context, rec history.Record) error {
	return r.recordSomehow(ctx, func(ctx context.Context, st *history.Store, ex dialect.Execer) error {
		return st.Finish(ctx, ex, rec)
	})
}

// resetAfter undoes session state the last file may have set, so it does
// not leak into the next file.
func (r *run) resetAfter(ctx context.Context, step Step) error {
	if !r.changed {
		return nil
	}
	if r.m.knownPooled() {
		// Reset inside the file's transaction (resetPooledTx); a
		// file outside one that changes the session is refused.
		r.changed = false
		return nil
	}
	r.changed = false
	m := r.m
	err := m.d.ResetSession(ctx, r.conn)
	if errors.Is(err, dialect.ErrReconnect) {
		// Free the work tag first: the server drops the old session's
		// locks only when it gets round to the disconnect.
		r.unmarkWork(ctx)
		// Discard the connection instead of returning it to the pool.
		_ = r.conn.Raw(func(any) error { return driver.ErrBadConn })
		r.conn.Close()
		c, cerr := m.db.Conn(ctx)
		if cerr != nil {
			return fmt.Errorf("reconnect after %s: %w", step.File, cerr)
		}
		r.conn = c
		err = nil
		r.disarmKill()
		if err := r.armKill(ctx); err != nil {
			return err
		}
		if err := r.markWork(ctx); err != nil {
			return err
		}
	}
	if err != nil {
		return fmt.Errorf("reset session after %s: %w", step.File, err)
	}
	m.emit(Event{Kind: EventSessionReset, Migration: step.Migration})
	return m.sessionSQL(ctx, r.conn)
}

// StatementChecksum is the short checksum strata records for each statement
// of a file that runs outside a transaction: the first 16 hex digits of the
// SHA-256 of the statement's text.
func StatementChecksum(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// changedFile is the error for a file whose bytes, read to run it, no
// longer have the checksum the folder was loaded with.
func changedFile(step Step) *source.FileError {
	return fileError(step.File, 0, errors.New("the file changed while strata was running (its checksum no longer matches); run again"))
}
