package mysql

import (
	"context"
	"database/sql"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

var (
	_ dialect.QueryChecker  = Dialect{}
	_ dialect.QueryCapturer = Dialect{}
)

// Prepare prepares query server-side (COM_STMT_PREPARE), which resolves
// every table, column and routine, and closes it.
func (Dialect) Prepare(ctx context.Context, conn *sql.Conn, query string) error {
	st, err := conn.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	return st.Close()
}

// Columns reads the table's columns from information_schema. A column is
// required when it is NOT NULL without a default and neither generated
// nor AUTO_INCREMENT: strict mode then refuses an INSERT without it.
func (Dialect) Columns(ctx context.Context, q dialect.Execer, t dialect.Table) ([]dialect.Column, error) {
	rows, err := q.QueryContext(ctx, `SELECT COLUMN_NAME,
       IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%auto_increment%' AND EXTRA NOT LIKE '%GENERATED%'
  FROM information_schema.COLUMNS
 WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ?
 ORDER BY ORDINAL_POSITION`, dialect.UnquoteIdent(t.Schema), dialect.UnquoteIdent(t.Name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dialect.Column
	for rows.Next() {
		var c dialect.Column
		if err := rows.Scan(&c.Name, &c.Required); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const (
	captureSource = "performance_schema.events_statements_summary_by_digest"
	captureEnable = "set performance_schema=ON in the [mysqld] section of the server's configuration and restart the server " +
		"(the statements_digest consumer is on by default); the user needs SELECT on performance_schema"
)

// CaptureQueries reads the statement digests of the connection's
// database, most run first. DIGEST_TEXT has ? for every literal; the
// lists it elides, (...), are given placeholders so the text prepares,
// and digests the server cut short are left out.
func (Dialect) CaptureQueries(ctx context.Context, q dialect.Execer) ([]string, error) {
	var on int
	if err := q.QueryRowContext(ctx, "SELECT @@performance_schema").Scan(&on); err != nil {
		return nil, err
	}
	if on == 0 {
		return nil, &dialect.CaptureUnavailableError{Source: captureSource, Reason: "performance_schema is OFF", Enable: captureEnable}
	}
	var enabled string
	err := q.QueryRowContext(ctx, "SELECT ENABLED FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'").Scan(&enabled)
	if err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	if enabled == "NO" {
		return nil, &dialect.CaptureUnavailableError{Source: captureSource, Reason: "the statements_digest consumer is disabled",
			Enable: "UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME = 'statements_digest' (or performance-schema-consumer-statements-digest=ON in the server's configuration)"}
	}
	texts, err := dialect.QueryStrings(ctx, q, `SELECT DIGEST_TEXT FROM performance_schema.events_statements_summary_by_digest
 WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT IS NOT NULL
 GROUP BY DIGEST_TEXT ORDER BY SUM(COUNT_STAR) DESC, DIGEST_TEXT`)
	if err != nil {
		return nil, err
	}
	out := texts[:0]
	for _, t := range texts {
		if strings.HasSuffix(t, "...") {
			continue // cut at performance_schema_max_digest_length
		}
		out = append(out, undigest(t))
	}
	return out, nil
}

// undigest turns a statement digest back into a statement that prepares:
// each (...) the digest put in place of a list of values becomes as many
// placeholders as the column list before VALUES names (one elsewhere, as
// in IN (...)), and the /* , ... */ standing for more rows is dropped.
func undigest(text string) string {
	toks := sqlsplit.Tokens(text, sqlsplit.Options{Dialect: sqlsplit.MySQL})
	var b strings.Builder
	last, cols, inCols, depth := 0, 0, false, 0
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if tk.Kind == sqlsplit.Punct && tk.Text == "(" && i+4 < len(toks) &&
			toks[i+1].Text == "." && toks[i+2].Text == "." && toks[i+3].Text == "." && toks[i+4].Text == ")" {
			n := 1
			if i > 0 && strings.EqualFold(toks[i-1].Text, "VALUES") && cols > 0 {
				n = cols
			}
			b.WriteString(text[last:tk.Offset])
			b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")")
			last = toks[i+4].Offset + 1
			i += 4
			continue
		}
		switch {
		case tk.Kind == sqlsplit.Word && strings.EqualFold(tk.Text, "INTO"):
			cols, inCols = 0, false
		case tk.Text == "(" && !inCols && cols == 0 && i > 0 && toks[i-1].Kind != sqlsplit.Punct && !strings.EqualFold(toks[i-1].Text, "VALUES"):
			inCols, depth, cols = true, 0, 1
		case inCols && tk.Text == "(":
			depth++
		case inCols && tk.Text == ")" && depth > 0:
			depth--
		case inCols && tk.Text == ")":
			inCols = false
		case inCols && tk.Text == "," && depth == 0:
			cols++
		}
	}
	b.WriteString(text[last:])
	return strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "/* , ... */", "")), " ")
}
