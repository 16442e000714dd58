package strata

// Small files in one round trip, and commits that do not wait for the log
// flush: the two things that make a transaction per file cost little more
// than the raw client (docs/concepts.md, "How fast").

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
)

// Files at most this big, with at most this many statements, are sent in
// one round trip where the dialect can pipeline.
const (
	pipelineMaxBytes      = 256 << 10
	pipelineMaxStatements = 64
)

func (r *run) canPipeline(ctx context.Context, step Step) bool {
	pl, ok := r.m.d.(dialect.Pipeliner)
	if !ok || step.Rerun || r.m.cfg.keepWriting != nil || step.Migration.Size > pipelineMaxBytes || step.Statements > pipelineMaxStatements {
		return false
	}
	if r.lim.bytes > 0 && step.Migration.Size+64<<10 > int64(r.lim.bytes) {
		return false // the batch might not fit in one packet
	}
	if r.pipe == nil {
		can := pl.CanPipeline(ctx, r.conn)
		r.pipe = &can
	}
	return *r.pipe
}

// pipelined runs a small file in its own transaction like inTx, but sends
// BEGIN, the statements, the history row and COMMIT in one round trip.
func (r *run) pipelined(ctx context.Context, step Step) error {
	m := r.m
	start := time.Now()
	stmts := step.stmts // read and checksummed when the plan was made
	if stmts == nil {
		h := sha256.New()
		for stmt, err := range m.statements(step.Migration.Path, h, r.lim) {
			if err != nil {
				return err
			}
			stmts = append(stmts, stmt)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != step.Migration.Checksum {
			return changedFile(step)
		}
	}
	if m.knownPooled() && r.needsPooledReset(stmts) {
		// Session SQL and a reset before the commit: the plain way.
		return r.inTx(ctx, []Step{step})
	}
	m.emit(Event{Kind: EventMigrationStart, Migration: step.Migration})
	defer r.restoreLockTimeout(ctx)
	set, err := r.lockTimeoutSQL(ctx, r.conn, step, true)
	if err != nil {
		return err
	}
	if ac := r.asyncCommit(); ac != "" {
		set = append([]string{ac}, set...)
	}
	k := len(set) // statements before the file's, after BEGIN
	queries := make([]dialect.Query, 0, len(stmts)+k+3)
	queries = append(queries, dialect.Query{SQL: "BEGIN"})
	for _, s := range set {
		queries = append(queries, dialect.Query{SQL: s})
	}
	for i := range stmts {
		if m.d.ChangesSession(stmts[i].Text) {
			r.changed = true
		}
		m.emit(Event{Kind: EventStatementStart, Migration: step.Migration, Statement: &stmts[i], Index: i + 1, Batched: true})
		queries = append(queries, dialect.Query{SQL: stmts[i].Text})
	}
	// The server times the statements: the row is built before they run.
	pl := m.d.(dialect.Pipeliner)
	rec := r.record(step, history.Applied, len(stmts), start)
	queries = append(queries, m.store.TimedInsertQuery(rec, pl), dialect.Query{SQL: "COMMIT"})
	done, err := pl.Pipeline(ctx, r.conn, queries)
	if err != nil {
		if done > 0 {
			// The transaction is open and aborted; end it.
			_, _ = r.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		switch {
		case done >= 1+k && done <= len(stmts)+k:
			se := r.statementError(step, done-k, &stmts[done-k-1], err)
			se.Outcome = "rolled back; nothing of it was applied or recorded"
			err = se
		case done == len(stmts)+k+1:
			err = fmt.Errorf("record %s in history table %s: %w", step.File, m.store.Table(), err)
		default:
			err = fmt.Errorf("run %s: %w", step.File, err)
		}
		m.emit(Event{Kind: EventMigrationError, Migration: step.Migration, Err: err, Duration: time.Since(start)})
		return err
	}
	a := Applied{Migration: step.Migration, File: step.File, Duration: time.Since(start), Statements: len(stmts), Transactional: true}
	m.emit(Event{Kind: EventMigrationDone, Migration: step.Migration, Duration: a.Duration})
	r.applied(a)
	return nil
}

// waitDurable waits, after a run stopped early, until the files it
// committed without waiting for the log flush are on disk, so that what
// strata reports as applied is durable. err is the error that stopped the
// run.
func (r *run) waitDurable(ctx context.Context, err error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if werr := r.m.d.(dialect.AsyncCommitter).WaitDurable(ctx, r.conn); werr != nil {
		return errors.Join(err, fmt.Errorf("the files applied before this one are committed, but strata could not confirm they reached the server's disk: %w", werr))
	}
	r.unflushed = false
	return err
}

// asyncCommit returns the statement that lets the current file's
// transaction commit without waiting for the log flush, or "" when the
// file commits normally; an asynchronous commit is noted as owing a flush.
func (r *run) asyncCommit() string {
	if !r.async {
		return ""
	}
	r.unflushed = true
	return r.m.d.(dialect.AsyncCommitter).AsyncCommit()
}
