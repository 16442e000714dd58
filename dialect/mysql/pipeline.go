package mysql

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.Pipeliner = Dialect{}

// stepVar is the session variable a pipelined batch sets before each of its
// queries, so that after an error strata can ask which query failed.
const stepVar = "@strata_pipeline_query"

// startVar holds the server's time when a pipelined batch began, set by
// the batch's first statement, for ElapsedMS and AddElapsed.
const startVar = "@strata_pipeline_start"

// sinceBatch is the microseconds since the batch began. NOW(6) is the
// start of the statement it is in (the server resets it for each
// statement of a multi-statement query), and, unlike SYSDATE(6), safe for
// statement-based replication; both ends are in the session's time zone,
// so the difference does not depend on it.
const sinceBatch = "TIMESTAMPDIFF(MICROSECOND, " + startVar + ", NOW(6))"

// ElapsedMS implements dialect.Pipeliner.
func (Dialect) ElapsedMS() string { return "(" + sinceBatch + " DIV 1000)" }

// AddElapsed implements dialect.Pipeliner.
func (Dialect) AddElapsed(start string) string {
	return "TIMESTAMPADD(MICROSECOND, " + sinceBatch + ", " + start + ")"
}

// Pipeline sends every query as one multi-statement text query (one round
// trip), each preceded by SET @strata_pipeline_query = i (the first also
// notes the server's time in @strata_pipeline_start). The server stops at
// the first error; the variable then names the query that failed.
//
// Arguments are written into the text as literals that no sql_mode
// (ANSI_QUOTES, NO_BACKSLASH_ESCAPES) reads differently: strings of plain
// printable ASCII without quotes or backslashes as '...', any other string
// as a hexadecimal utf8mb4 literal, times as 'YYYY-MM-DD HH:MM:SS.ffffff'. The queries
// without arguments (the migration's own statements) are sent exactly as
// written: a ? inside them is never taken for a placeholder.
func (Dialect) Pipeline(ctx context.Context, conn *sql.Conn, queries []dialect.Query) (done int, err error) {
	var b strings.Builder
	for i, q := range queries {
		b.WriteString("SET " + stepVar + " = ")
		b.WriteString(strconv.Itoa(i))
		if i == 0 {
			b.WriteString(", " + startVar + " = NOW(6)")
		}
		b.WriteString(";\n")
		if err := writeQuery(&b, q); err != nil {
			return 0, err
		}
		// A newline first: the statement may end in a -- or # comment.
		b.WriteString("\n;\n")
	}
	_, err = conn.ExecContext(ctx, b.String())
	if err == nil {
		return len(queries), nil
	}
	var n sql.NullInt64
	if qerr := conn.QueryRowContext(context.WithoutCancel(ctx), "SELECT "+stepVar).Scan(&n); qerr != nil || !n.Valid {
		return 0, err
	}
	return int(n.Int64), err
}

// CanPipeline asks the server to run two statements in one query, which it
// does only when the connection was opened with multiStatements=true (the
// strata CLI always does). Without it strata sends statements one by one.
func (Dialect) CanPipeline(ctx context.Context, conn *sql.Conn) bool {
	_, err := conn.ExecContext(ctx, "DO 1; DO 2")
	return err == nil
}

// writeQuery writes q's SQL with each ? replaced by the next argument as a
// literal. Only strata's own queries have arguments, and their SQL has no ?
// but the placeholders.
func writeQuery(b *strings.Builder, q dialect.Query) error {
	if len(q.Args) == 0 {
		b.WriteString(q.SQL)
		return nil
	}
	parts := strings.Split(q.SQL, "?")
	if len(parts) != len(q.Args)+1 {
		return fmt.Errorf("pipeline: %d placeholders for %d arguments in %q", len(parts)-1, len(q.Args), q.SQL)
	}
	for i, a := range q.Args {
		b.WriteString(parts[i])
		if err := writeLiteral(b, a); err != nil {
			return err
		}
	}
	b.WriteString(parts[len(parts)-1])
	return nil
}

func writeLiteral(b *strings.Builder, a any) error {
	switch v := a.(type) {
	case nil:
		b.WriteString("NULL")
	case string:
		if plain(v) {
			b.WriteString("'" + v + "'")
			return nil
		}
		b.WriteString("_utf8mb4 X'")
		b.WriteString(hex.EncodeToString([]byte(v)))
		b.WriteString("'")
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case time.Time:
		b.WriteString(v.UTC().Format("'2006-01-02 15:04:05.000000'"))
	case sql.NullString:
		if !v.Valid {
			return writeLiteral(b, nil)
		}
		return writeLiteral(b, v.String)
	case sql.NullTime:
		if !v.Valid {
			return writeLiteral(b, nil)
		}
		return writeLiteral(b, v.Time)
	default:
		return errors.New("pipeline: unsupported argument type " + fmt.Sprintf("%T", a))
	}
	return nil
}

// plain reports whether s can be written between single quotes as is:
// printable ASCII with no quote or backslash.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}
