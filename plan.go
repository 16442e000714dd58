package strata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

// PlanOptions choose what a plan covers.
type PlanOptions struct {
	// To stops at this version (inclusive); zero means every pending file.
	To source.Version
	// Resume continues files that stopped half-way (partial, failed or
	// interrupted) from the statement after the last one that completed,
	// provided the statements that completed are byte for byte the ones
	// in the file now.
	Resume bool
	// Phase, when set, limits the plan to the pending files of that
	// phase (see PhaseSkip and PhaseOrderError); "" plans every pending
	// file in version order.
	Phase source.Phase
}

// Step is one file a plan will run.
type Step struct {
	Migration *source.Migration
	File      string // display name
	// Transactional is true when the file runs inside a transaction with
	// its history row. When false, Reason says why, and the file runs
	// statement by statement with progress recorded after each one.
	Transactional bool
	Reason        string
	// ReasonKind is why the file runs outside a transaction, when it
	// does; Line is then the line of the statement that made it so (0
	// when no statement did: a directive, or resuming).
	ReasonKind ReasonKind
	Line       int
	Statements int  // number of statements (0 for a comment-only file)
	Rerun      bool // a repeatable migration whose checksum changed
	// ResumeFrom is the number of statements that already completed in an
	// earlier run; [Migrator.Apply] starts at statement ResumeFrom+1.
	ResumeFrom int
	recorded   string // the recorded statement checksums, when resuming
	resume     bool
	resumed    resumedRow // the row a resumed file continues, for its audit entry
	// stmts are the file's statements as read and checksummed when the
	// plan was made, kept for small files so Apply need not read them
	// again; nil when not kept.
	stmts []sqlsplit.Statement
	// schemaChange is set when a statement of the file may change the
	// schema (it does not start with one of dataVerbs).
	schemaChange bool
}

// keepBudget is how many bytes of small files' statements a plan keeps
// for Apply (a file is kept when it is at most pipelineMaxBytes long).
const keepBudget = 8 << 20

// Plan is what [Migrator.Apply] will do, in order: apply pending files
// ([Migrator.Plan]) or roll applied migrations back with their down files,
// newest first ([Migrator.PlanDown]). Making a plan reads the history
// without the lock and changes nothing.
type Plan struct {
	// Direction is [DirectionUp] for a plan made by [Migrator.Plan] and
	// [DirectionDown] for one made by [Migrator.PlanDown] ("" reads as up).
	Direction Direction
	Steps     []Step
	TxMode    TxMode
	Dialect   string
	// TransactionalDDL is false when the database commits DDL implicitly.
	TransactionalDDL bool
	Status           *Status
	// InProgress is true when another run holds the lock and is applying
	// a file outside a transaction (its history row says running). [Migrator.Apply]
	// then waits for the lock and plans again under it, even with no
	// steps: the other run's file is applied by then, or, if that run
	// died, refused as interrupted.
	InProgress bool
	// Phase is the phase the plan is limited to ("" for none), and
	// Skipped the pending files of the other phase it leaves alone.
	Phase   source.Phase
	Skipped []PhaseSkip
	opts    PlanOptions
	down    DownOptions // a down plan's options
	limit   limit
}

// Backslash is the server's string rule the plan split its files with,
// read when it was made ([sqlsplit.BackslashDefault] when nothing was
// pending or the dialect has no such setting).
func (p *Plan) Backslash() sqlsplit.Backslash { return p.limit.bs }

// limit is what the server says about splitting: its largest statement,
// and how it reads a backslash in a string.
type limit struct {
	bytes int
	name  string
	bs    sqlsplit.Backslash
}

// Plan makes an up [Plan] for [Migrator.Apply]: it reads the history,
// refuses with a [*RefusedError] when an applied file
// was edited or removed, a pending file is out of order, or a file failed
// half-way (or, with [WithFailIfAhead], the database is ahead of the folder),
// and otherwise lists the pending files in order. A database ahead of the
// folder (Status.Ahead) has nothing to do for it. It scans each
// pending file, so a file that cannot be split (an unterminated quote) is
// reported here, before anything runs.
func (m *Migrator) Plan(ctx context.Context, opts PlanOptions) (*Plan, error) {
	st, err := m.statusOf(ctx, false)
	if err != nil {
		return nil, err
	}
	var lim limit
	if st.Pending > 0 {
		if lim, err = m.statementLimit(ctx); err != nil {
			return nil, err
		}
	}
	return m.plan(st, opts, nil, lim)
}

func (m *Migrator) statementLimit(ctx context.Context) (limit, error) {
	var l limit
	var err error
	l.bytes, l.name, err = m.d.StatementLimit(ctx, m.db)
	if err != nil {
		return l, err
	}
	if r, ok := m.d.(dialect.StringRules); ok {
		// On a connection like the one files run on: after the
		// session SQL, which may change the rule.
		c, err := m.conn(ctx)
		if err != nil {
			return l, err
		}
		defer m.putBack(c, false)
		if l.bs, err = r.Backslash(ctx, c); err != nil {
			return l, err
		}
	}
	return l, nil
}

// plan makes a plan from st. Steps of prev (a plan made moments ago for the
// same files) are reused instead of scanning their files again.
func (m *Migrator) plan(st *Status, opts PlanOptions, prev *Plan, lim limit) (*Plan, error) {
	known := map[*source.Migration]Step{}
	if prev != nil {
		for _, s := range prev.Steps {
			known[s.Migration] = s
		}
	}
	resumeOK := map[string]bool{}
	for _, ms := range st.Migrations {
		// A row left by a down file that stopped half-way records the
		// down file's statements: continuing the up file from there would
		// be wrong, so it needs resolve.
		resumeOK[ms.ID] = opts.Resume && resumable(ms.State) && ms.Migration != nil &&
			(ms.rec == nil || ms.Migration.DownPath == "" || ms.rec.File != ms.Migration.DownPath)
	}
	var probs []Problem
	inProgress := false
	for _, pr := range st.Problems(m.cfg.allowOutOfOrder) {
		if resumeOK[pr.Version] {
			continue
		}
		if pr.Kind == ProblemRunning {
			// A live run holds the lock (a dead run's row is
			// interrupted): wait for it instead of refusing, so runs
			// started at once all succeed. Under the lock every running
			// row is from a dead run and is refused as interrupted.
			inProgress = true
			continue
		}
		if opts.Resume && resumable(State(pr.Kind)) {
			pr.Remedy, pr.ResumeRefused = RemedyResolveDownRow, true
			pr.Hint = "this row was left by a down file that stopped half-way, so resuming cannot continue it: finish or undo it by hand, then Resolve with ResolveApplied (the migration stays applied) or ResolveRolledBack (up runs it again)"
		}
		probs = append(probs, pr)
	}
	if pr, ok := st.AheadProblem(); ok && m.cfg.failIfAhead {
		probs = append(probs, pr)
	}
	if len(probs) > 0 {
		return nil, &RefusedError{Direction: DirectionUp, Problems: probs}
	}
	p := &Plan{Direction: DirectionUp, TxMode: m.cfg.txMode, Dialect: m.d.Name(), TransactionalDDL: m.d.TransactionalDDL(), Status: st, InProgress: inProgress, opts: opts, limit: lim}
	budget := keepBudget
	for _, ms := range st.Migrations {
		mig := ms.Migration
		if resumeOK[ms.ID] {
			step := Step{Migration: mig, File: ms.File, ResumeFrom: ms.StatementsApplied, recorded: ms.rec.StatementChecksums, resume: true,
				resumed: resumedRow{state: ms.State, checksum: ms.rec.Checksum}}
			if err := m.inspect(&step, lim, nil); err != nil {
				return nil, err
			}
			step.Transactional, step.Reason, step.ReasonKind = false, "resuming a file that ran outside a transaction", ReasonResuming
			p.Steps = append(p.Steps, step)
			continue
		}
		if ms.State != StatePending && ms.State != StateOutOfOrder {
			continue
		}
		if mig.Kind == source.Versioned && !opts.To.IsZero() && mig.Version.Compare(opts.To) > 0 {
			continue
		}
		step, ok := known[mig]
		if !ok || step.resume || step.Rerun != (ms.rec != nil) {
			step = Step{Migration: mig, File: ms.File, Rerun: ms.rec != nil}
			if err := m.inspect(&step, lim, &budget); err != nil {
				return nil, err
			}
		}
		if m.cfg.txMode == TxAll && !step.Transactional {
			return nil, txAllFile(step)
		}
		p.Steps = append(p.Steps, step)
	}
	var err error
	p.Phase = opts.Phase
	if p.Steps, p.Skipped, err = byPhase(st, p.Steps, opts.Phase); err != nil {
		return nil, err
	}
	return p, nil
}

// inspect scans a file once: it counts the statements and finds the first
// one that cannot run in a transaction. A small file's statements are kept
// in step for Apply while *budget (when not nil) allows, if the bytes read
// still have the checksum the folder was loaded with.
func (m *Migrator) inspect(step *Step, lim limit, budget *int) error {
	step.Transactional = true
	if step.Migration.Directives.NoTransaction {
		step.Transactional, step.Reason, step.ReasonKind = false, "the file says -- strata:no-transaction", ReasonNoTransactionDirective
	}
	var sums []string
	if step.ResumeFrom > 0 {
		sums = strings.Split(strings.TrimSuffix(step.recorded, ","), ",")
	}
	var h hash.Hash
	keep := budget != nil && step.Migration.Size <= pipelineMaxBytes && int(step.Migration.Size) <= *budget
	if keep {
		h = sha256.New()
	}
	var kept []sqlsplit.Statement
	for stmt, err := range m.statements(step.Migration.Path, h, lim) {
		if err != nil {
			return err
		}
		if keep {
			kept = append(kept, stmt)
		}
		step.Statements++
		step.schemaChange = step.schemaChange || !dataOnly(stmt.Text)
		if i := step.Statements; i <= step.ResumeFrom {
			if i > len(sums) || sums[i-1] != StatementChecksum(stmt.Text) {
				return &ResumeError{File: step.File, Index: i, Line: stmt.Line, Applied: step.ResumeFrom}
			}
		}
		if step.Transactional {
			m.noTxStatement(step, stmt)
		}
	}
	if keep && hex.EncodeToString(h.Sum(nil)) == step.Migration.Checksum {
		step.stmts = kept
		*budget -= int(step.Migration.Size)
	}
	return nil
}

func resumable(s State) bool {
	return s == StatePartial || s == StateFailed || s == StateInterrupted
}

// ResumeError refuses --resume because a statement that already ran is not
// the same in the file now.
type ResumeError struct {
	File    string
	Index   int // the first statement that differs
	Line    int
	Applied int // how many statements had completed
}

func (e *ResumeError) Error() string {
	return fmt.Sprintf("%s:%d: cannot resume: statement %d already ran, but the file's statement %d is not the one that ran (%d statements had completed); restore those statements as they were, or settle the file by hand with Resolve and ResolveApplied or ResolveRolledBack",
		e.File, e.Line, e.Index, e.Index, e.Applied)
}

// Statements yields the statements of a migration's up file in order,
// split by the dialect's default string rules. A scanning error is yielded
// as a [*source.FileError] naming the file and line, and ends the
// sequence.
func (m *Migrator) Statements(mig *source.Migration) iter.Seq2[sqlsplit.Statement, error] {
	return m.statements(mig.Path, nil, limit{})
}

// PlanStatements is [Migrator.Statements] as p splits the file: with the server's
// string rules (MySQL's NO_BACKSLASH_ESCAPES, PostgreSQL's
// standard_conforming_strings) read when p was made, as they will be sent
// to the server.
func (m *Migrator) PlanStatements(p *Plan, mig *source.Migration) iter.Seq2[sqlsplit.Statement, error] {
	return m.statements(mig.Path, nil, p.limit)
}

func (m *Migrator) statements(p string, tee io.Writer, lim limit) iter.Seq2[sqlsplit.Statement, error] {
	return func(yield func(sqlsplit.Statement, error) bool) {
		// tee gets the bytes the checksum covers, a leading byte order
		// mark included, though the statements do not have it.
		rc, err := m.dir.OpenSum(p, tee)
		if err != nil {
			yield(sqlsplit.Statement{}, fileError(m.display(p), 0, err))
			return
		}
		defer rc.Close()
		sc := sqlsplit.NewScanner(rc, sqlsplit.Options{Dialect: m.d.Scanner(), MaxStatementBytes: lim.bytes, LimitName: lim.name, Backslash: lim.bs})
		// A file's own SET sql_mode or standard_conforming_strings
		// changes how the server reads the rest of it.
		var track dialect.BackslashTracker
		if rules, ok := m.d.(dialect.StringRules); ok {
			track = rules.TrackBackslash(lim.bs)
		}
		bs := lim.bs
		for {
			stmt, err := sc.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				fe := fileError(m.display(p), 0, err)
				var se *sqlsplit.Error
				if errors.As(err, &se) {
					fe.Line, fe.Msg = se.Line, se.Msg
				}
				yield(sqlsplit.Statement{}, fe)
				return
			}
			if track != nil {
				next, err := track.Next(stmt.Text)
				if err != nil {
					yield(sqlsplit.Statement{}, fileError(m.display(p), stmt.Line, err))
					return
				}
				if next != bs {
					bs = next
					sc.SetBackslash(bs)
				}
			}
			if !yield(stmt, nil) {
				return
			}
		}
	}
}
