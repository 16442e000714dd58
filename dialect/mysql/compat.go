package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

var (
	_ dialect.QueryChecker  = Dialect{}
	_ dialect.QueryCapturer = Dialect{}
)

// Prepare prepares each query server-side (COM_STMT_PREPARE), which
// resolves every table, column and stored function, and closes it. The
// server checks neither a stored function's number of arguments nor a
// CALLed procedure until it runs, so those are checked against
// information_schema, with the server's own error numbers (1318, 1305).
func (Dialect) Prepare(ctx context.Context, conn *sql.Conn, queries []string) ([]error, error) {
	errs := make([]error, len(queries))
	var routines map[string]routine
	for i, q := range queries {
		st, err := conn.PrepareContext(ctx, q)
		if err == nil {
			err = st.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var me *mysql.MySQLError
		if err != nil && !errors.As(err, &me) {
			return nil, err // the connection, not the query
		}
		if err == nil {
			toks := sqlsplit.Tokens(q, sqlsplit.Options{Dialect: sqlsplit.MySQL})
			if !callsSomething(toks) {
				continue
			}
			if routines == nil {
				if routines, err = readRoutines(ctx, conn); err != nil {
					return nil, err
				}
			}
			err = checkCalls(toks, routines)
		}
		errs[i] = err
	}
	return errs, nil
}

// routine is a stored function or procedure of the current database.
type routine struct {
	db, name, kind string // kind: FUNCTION or PROCEDURE
	params         int
}

func readRoutines(ctx context.Context, conn *sql.Conn) (map[string]routine, error) {
	rows, err := conn.QueryContext(ctx, `SELECT r.ROUTINE_SCHEMA, r.ROUTINE_NAME, r.ROUTINE_TYPE,
       (SELECT COUNT(*) FROM information_schema.PARAMETERS p
         WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME
           AND p.ROUTINE_TYPE = r.ROUTINE_TYPE AND p.ORDINAL_POSITION > 0)
  FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE()`)
	if err != nil {
		return nil, fmt.Errorf("read the stored routines: %w", err)
	}
	defer rows.Close()
	out := map[string]routine{}
	for rows.Next() {
		var r routine
		if err := rows.Scan(&r.db, &r.name, &r.kind, &r.params); err != nil {
			return nil, err
		}
		out[r.kind+" "+strings.ToLower(r.name)] = r
	}
	return out, rows.Err()
}

// callsSomething reports whether toks call a procedure or a function.
func callsSomething(toks []sqlsplit.Token) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].Kind == sqlsplit.Word || toks[i].Kind == sqlsplit.QuotedIdent {
			if toks[i+1].Text == "(" || strings.EqualFold(toks[i].Text, "CALL") {
				return true
			}
		}
	}
	return false
}

// checkCalls compares the number of arguments of every call of a stored
// routine in toks with its parameters, and checks that a CALLed
// procedure exists.
func checkCalls(toks []sqlsplit.Token, routines map[string]routine) error {
	isCall := len(toks) > 1 && strings.EqualFold(toks[0].Text, "CALL")
	for i := 0; i < len(toks); i++ {
		if toks[i].Kind != sqlsplit.Word && toks[i].Kind != sqlsplit.QuotedIdent {
			continue
		}
		name := strings.ToLower(dialect.UnquoteIdent(toks[i].Text))
		if i+2 < len(toks) && toks[i+1].Text == "." {
			i += 2 // db.routine: the current database's routines only
			name = strings.ToLower(dialect.UnquoteIdent(toks[i].Text))
		}
		kind := "FUNCTION"
		if isCall && (i == 1 || i == 3 && toks[2].Text == ".") {
			kind = "PROCEDURE"
		}
		r, ok := routines[kind+" "+name]
		if !ok {
			if kind == "PROCEDURE" {
				return &mysql.MySQLError{Number: 1305, SQLState: [5]byte{'4', '2', '0', '0', '0'}, Message: "PROCEDURE " + name + " does not exist"}
			}
			continue
		}
		n := 0
		if i+1 < len(toks) && toks[i+1].Text == "(" {
			n = countArgs(toks[i+2:])
		} else if kind == "FUNCTION" {
			continue // a column or alias of the same name
		}
		if n != r.params {
			return &mysql.MySQLError{Number: 1318, SQLState: [5]byte{'4', '2', '0', '0', '0'},
				Message: fmt.Sprintf("Incorrect number of arguments for %s %s.%s; expected %d, got %d", kind, r.db, r.name, r.params, n)}
		}
	}
	return nil
}

// countArgs counts the arguments of a call whose tokens after the opening
// parenthesis are toks.
func countArgs(toks []sqlsplit.Token) int {
	n, depth := 0, 0
	for _, t := range toks {
		switch t.Text {
		case "(":
			depth++
		case ")":
			if depth == 0 {
				return n
			}
			depth--
		case ",":
			if depth == 0 {
				n++
			}
		}
		if n == 0 && t.Text != ")" {
			n = 1
		}
	}
	return n
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
		if t, ok := undigest(t); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// undigest turns a statement digest back into a statement that prepares:
// each (...) the digest put in place of a list of values becomes as many
// placeholders as the column list before VALUES names, or one after IN,
// and the /* , ... */ standing for more rows is dropped. It returns false
// when the digest elided a call's arguments, f(...), whose number is lost.
func undigest(text string) (string, bool) {
	toks := sqlsplit.Tokens(text, sqlsplit.Options{Dialect: sqlsplit.MySQL})
	var b strings.Builder
	last, cols, inCols, depth := 0, 0, false, 0
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if tk.Kind == sqlsplit.Punct && tk.Text == "(" && i+4 < len(toks) &&
			toks[i+1].Text == "." && toks[i+2].Text == "." && toks[i+3].Text == "." && toks[i+4].Text == ")" {
			n, before := 1, ""
			if i > 0 {
				before = strings.ToUpper(toks[i-1].Text)
			}
			switch {
			case (before == "VALUES" || before == "VALUE") && cols > 0:
				n = cols
			case before != "IN":
				return "", false
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
	return strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "/* , ... */", "")), " "), true
}

// SystemName reports the system schemas and the functions that read the
// session or take a lock.
func (Dialect) SystemName(name string) bool {
	switch name {
	case "information_schema", "performance_schema", "mysql", "sys", "schema", "database", "user", "current_user",
		"session_user", "system_user", "version", "connection_id", "get_lock", "release_lock", "release_all_locks",
		"is_used_lock", "is_free_lock", "found_rows", "last_insert_id", "row_count":
		return true
	}
	return false
}
