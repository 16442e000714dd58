package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.Batcher = Dialect{}

// batchSep ends each statement of a batch: a newline first, as the
// statement may end in a -- comment.
const batchSep = "\n;\n"

// CanBatch is true: every pgx connection can.
func (Dialect) CanBatch(context.Context, *sql.Conn) bool { return true }

// BatchOverhead implements dialect.Batcher.
func (Dialect) BatchOverhead() int { return len(batchSep) }

// ExecBatch sends stmts as one simple-protocol query (measured faster
// than the extended protocol's pipeline mode for large INSERTs: one
// message, no Parse/Bind/Describe per statement) and counts the
// statements that completed. The server parses the whole query before it
// runs any of it, so a syntax error in any statement fails the batch with
// none run: the error's position (in characters of the query) then names
// the statement, and is rebased onto it.
func (Dialect) ExecBatch(ctx context.Context, conn *sql.Conn, stmts []string) (failed int, err error) {
	size := 0
	for _, s := range stmts {
		size += len(s) + len(batchSep)
	}
	var b strings.Builder
	b.Grow(size)
	for _, s := range stmts {
		b.WriteString(s)
		b.WriteString(batchSep)
	}
	query := b.String()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("batch needs a pgx connection, got %T", dc)
		}
		mrr := sc.Conn().PgConn().Exec(ctx, query)
		var rerr error
		for mrr.NextResult() {
			if _, rerr = mrr.ResultReader().Close(); rerr != nil {
				break
			}
			failed++
		}
		if cerr := mrr.Close(); rerr == nil {
			rerr = cerr
		}
		return rerr
	})
	if err == nil {
		return len(stmts), nil
	}
	if failed == 0 {
		failed = parseFailure(stmts, err)
	}
	if failed >= len(stmts) {
		// An error after the last statement's result (none is
		// expected): name the last statement.
		failed = len(stmts) - 1
	}
	return failed, err
}

// parseFailure finds the statement of a batch that none of ran whose
// error is to blame: the one at the error's position, else the first one
// that is not valid UTF-8 (the server checks the whole query's encoding
// before parsing it), else the first.
func parseFailure(stmts []string, err error) int {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Position > 0 {
		chars := 0 // characters before statement i
		for i, s := range stmts {
			n := utf8.RuneCountInString(s)
			if int(pe.Position) <= chars+n+utf8.RuneCountInString(batchSep) {
				pe.Position -= int32(chars)
				if int(pe.Position) > n {
					pe.Position = int32(n) // at the end of the statement
				}
				return i
			}
			chars += n + utf8.RuneCountInString(batchSep)
		}
		return 0
	}
	for i, s := range stmts {
		if !utf8.ValidString(s) {
			return i
		}
	}
	return 0
}
