package strata

// Large files in a transaction as a stream of batches: many statements per
// round trip, each batch bounded by a byte budget, the next batch read and
// split from the file while the server runs the current one, so the
// server never waits for strata and memory stays bounded by two batches
// whatever the file's size.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// batchBytes is the most statement bytes in one batch (a statement
// larger than it goes alone). Measured on 50 MB of 1,000-row INSERTs
// (bench/run.sh data50, PostgreSQL, load 2-3 on 2 cores, 3 rounds):
// 1 MiB 3.91-3.93 s, 512 KiB 4.51-4.64 s, 256 KiB 4.68-4.84 s, against
// golang-migrate's one message for the whole file 4.60-5.36 s. Peak
// memory grows with it (CLI: 37, 32 and 31 MiB, of which 24 MiB is
// start-up); the batch reader keeps two batches whatever the file's size.
const batchBytes = 1 << 20

// canBatch reports whether the file of step, run in a transaction on
// r.conn, goes in batches: a file too big for the one-round-trip pipeline
// (pipelineMaxBytes, pipelineMaxStatements), on a dialect and connection
// that can.
func (r *run) canBatch(ctx context.Context, step Step) (dialect.Batcher, bool) {
	b, ok := r.m.d.(dialect.Batcher)
	if !ok || (step.Migration.Size <= pipelineMaxBytes && step.Statements <= pipelineMaxStatements) {
		return nil, false
	}
	if r.batch == nil {
		can := b.CanBatch(ctx, r.conn)
		r.batch = &can
	}
	return b, *r.batch
}

// budget is the most bytes of statements in one batch: batchBytes, less
// where the server's largest packet is smaller.
func (r *run) budget(b dialect.Batcher, n int) int {
	max := batchBytes
	if r.lim.bytes > 0 && r.lim.bytes < max {
		max = r.lim.bytes
	}
	return max - n*b.BatchOverhead()
}

// batch is statements read from a file to be sent together, or the error
// that ended the reading.
type batch struct {
	stmts []sqlsplit.Statement
	err   error
}

// batches yields the statements seq yields in batches of at most
// budget(n) bytes of Text for n statements (a larger statement alone),
// each batch gathered in a goroutine while the caller runs the one before:
// the goroutine hands a batch over only when the caller asks for the next
// one, so at most two batches are in memory. An error ends the sequence
// after the statements before it. When the caller stops early, batches
// waits for the goroutine to end (and seq to close its file).
func batches(seq iter.Seq2[sqlsplit.Statement, error], budget func(n int) int) iter.Seq[batch] {
	return func(yield func(batch) bool) {
		ch := make(chan batch)      // unbuffered: a batch is handed over when asked for
		stop := make(chan struct{}) // the caller stopped early
		done := make(chan struct{}) // the reader ended
		go func() {
			defer close(done)
			defer close(ch)
			send := func(bt batch) bool {
				select {
				case ch <- bt:
					return true
				case <-stop:
					return false
				}
			}
			var cur []sqlsplit.Statement
			size := 0
			for stmt, err := range seq {
				if err != nil {
					if len(cur) > 0 && !send(batch{stmts: cur}) {
						return
					}
					send(batch{err: err})
					return
				}
				if len(cur) > 0 && size+len(stmt.Text) > budget(len(cur)+1) {
					if !send(batch{stmts: cur}) {
						return
					}
					cur, size = nil, 0
				}
				cur = append(cur, stmt)
				size += len(stmt.Text)
			}
			if len(cur) > 0 {
				send(batch{stmts: cur})
			}
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for bt := range ch {
			if !yield(bt) {
				return
			}
		}
	}
}

// execBatched is execFile for a large file in the transaction tx open on
// r.conn: its statements go in batches (dialect.Batcher). A batch of one
// statement is sent as execFile sends it. It returns how many statements
// completed; an error names the statement that failed, as execFile's do.
func (r *run) execBatched(ctx context.Context, tx *sql.Tx, b dialect.Batcher, step Step, p, sum string) (int, error) {
	m := r.m
	h := sha256.New()
	n := 0
	texts := make([]string, 0, 64)
	budget := func(n int) int { return r.budget(b, n) }
	for bt := range batches(r.m.statements(p, h, r.lim), budget) {
		if bt.err != nil {
			return n, bt.err
		}
		stmts := bt.stmts
		if skip := step.ResumeFrom - n; skip > 0 {
			// Completed in an earlier run; plan checked they are
			// unchanged.
			skip = min(skip, len(stmts))
			n += skip
			stmts = stmts[skip:]
		}
		if len(stmts) == 0 {
			continue
		}
		if err := r.lock.check(ctx); err != nil {
			return n, err // nothing is sent once the lock is known lost
		}
		texts = texts[:0]
		for i := range stmts {
			if m.d.ChangesSession(stmts[i].Text) {
				r.changed = true
			}
			m.emit(Event{Kind: EventStatementStart, Migration: step.Migration, File: step.File, Statement: &stmts[i], Index: n + i + 1, Batched: len(stmts) > 1})
			texts = append(texts, stmts[i].Text)
		}
		if len(stmts) == 1 {
			if _, err := tx.ExecContext(ctx, texts[0]); err != nil {
				return n, r.statementError(step, n+1, &stmts[0], err)
			}
			n++
			continue
		}
		if err := ctx.Err(); err != nil {
			// As tx.ExecContext says it: the batch goes on r.conn, which
			// does not look at the transaction's context.
			return n, r.statementError(step, n+1, &stmts[0], err)
		}
		failed, err := b.ExecBatch(ctx, r.conn, texts)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
				// Cancelled while it ran: database/sql may have closed
				// the connection under it when it ended the transaction.
				err = fmt.Errorf("%w: %w", cerr, err)
			}
			failed = max(0, min(failed, len(stmts)-1))
			return n + failed, r.statementError(step, n+failed+1, &stmts[failed], err)
		}
		n += len(stmts)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return n, changedFile(step)
	}
	return n, nil
}
