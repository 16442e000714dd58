package mysql

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.Batcher = Dialect{}

// CanBatch is CanPipeline: a batch is a multi-statement query.
func (d Dialect) CanBatch(ctx context.Context, conn *sql.Conn) bool { return d.CanPipeline(ctx, conn) }

// batchPrefix is what ExecBatch writes before a statement, less its index.
const batchPrefix = "SET " + stepVar + " = ;\n"

// BatchOverhead implements dialect.Batcher: the SET before each statement
// (with up to 10 digits of index) and the delimiter after it.
func (Dialect) BatchOverhead() int { return len(batchPrefix) + 10 + len("\n;\n") }

// ExecBatch sends stmts as one multi-statement query, each preceded by
// SET @strata_pipeline_query = i as in Pipeline: the server runs them in
// order and stops at the first error, and the variable then names the
// statement that failed (none when the whole batch was refused: the
// first is named).
func (Dialect) ExecBatch(ctx context.Context, conn *sql.Conn, stmts []string) (failed int, err error) {
	size := 0
	for _, s := range stmts {
		size += len(s) + len(batchPrefix) + 10 + len("\n;\n")
	}
	var b strings.Builder
	b.Grow(size)
	for i, s := range stmts {
		b.WriteString("SET " + stepVar + " = ")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(";\n")
		b.WriteString(s)
		// A newline first: the statement may end in a -- or # comment.
		b.WriteString("\n;\n")
	}
	// Unset at the end: a later batch that fails before its first SET
	// (too big a packet) does not read this one's last index.
	b.WriteString("SET " + stepVar + " = NULL")
	if _, err = conn.ExecContext(ctx, b.String()); err == nil {
		return len(stmts), nil
	}
	var n sql.NullInt64
	if qerr := conn.QueryRowContext(context.WithoutCancel(ctx), "SELECT "+stepVar).Scan(&n); qerr != nil || !n.Valid || n.Int64 < 0 || int(n.Int64) >= len(stmts) {
		return 0, err
	}
	return int(n.Int64), err
}
