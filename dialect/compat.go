package dialect

import (
	"context"
	"database/sql"
	"strings"
)

// Column is one column of a table, as the compatibility gate reads it.
type Column struct {
	Name string
	// Required is true for a column an INSERT must name: NOT NULL, with
	// no default, not generated, not an identity or auto-increment column.
	Required bool
}

// QueryChecker is implemented by dialects that can check an application's
// query against a schema without running it (strata compat).
type QueryChecker interface {
	// Prepare asks the server to prepare each query on conn (PostgreSQL's
	// Parse and Describe, MySQL's server-side prepare, SQLite's
	// sqlite3_prepare), which resolves every table, column, function and
	// type, and discards the prepared statement; where the server's
	// prepare leaves something unresolved (MySQL's stored routines'
	// arguments) the dialect checks it from the catalog. errs[i] is the
	// server's error for queries[i], nil when it prepares; err is a
	// failure that stopped the checking. conn is not in a transaction.
	Prepare(ctx context.Context, conn *sql.Conn, queries []string) (errs []error, err error)
	// Columns returns the columns of table t in their order, or nil when
	// the table does not exist. t's names are as written in a query,
	// quotes included (the dialect folds or unquotes them as its server
	// would); an empty t.Schema means the session's search path
	// (PostgreSQL) or current database (MySQL, SQLite's main).
	Columns(ctx context.Context, q Execer, t Table) ([]Column, error)
}

// QueryCapturer is implemented by dialects whose server can keep a record
// of the statements applications run, with their literals replaced by
// placeholders (PostgreSQL's pg_stat_statements, MySQL's
// performance_schema statement digests).
type QueryCapturer interface {
	// CaptureQueries returns the normalised text of the statements run
	// in the connection's database, most frequent first, as the server
	// recorded them, rewritten where needed so that they prepare
	// (placeholders for the record's elisions). It returns a
	// *CaptureUnavailableError when the server keeps no such record.
	CaptureQueries(ctx context.Context, q Execer) ([]string, error)
	// SystemName reports whether name (lower case, unquoted) is one of
	// the server's own: a catalog schema or table, or a function that
	// reads session state or takes a lock (which drivers, tools and
	// strata call, not the application).
	SystemName(name string) bool
}

// CaptureUnavailableError says that the server keeps no record of the
// statements applications run, and how to make it keep one.
type CaptureUnavailableError struct {
	Source string // what would be read, such as "pg_stat_statements"
	Reason string // what is missing
	Enable string // the steps that enable it, one sentence
	Err    error  // the server's error, if any
}

// Error says what is missing and how to enable it.
func (e *CaptureUnavailableError) Error() string {
	msg := "cannot read " + e.Source + ": " + e.Reason
	if e.Enable != "" {
		msg += "; to enable it: " + e.Enable
	}
	return msg
}

// Unwrap returns the server's error.
func (e *CaptureUnavailableError) Unwrap() error { return e.Err }

// UnquoteIdent returns the name inside a quoted identifier ("x", `x` or
// [x]), a doubled closing quote read as one, or name itself when it is
// not quoted.
func UnquoteIdent(name string) string {
	if len(name) < 2 {
		return name
	}
	open, end := name[0], name[len(name)-1]
	switch {
	case open == '"' && end == '"', open == '`' && end == '`':
		return strings.ReplaceAll(name[1:len(name)-1], string(end)+string(end), string(end))
	case open == '[' && end == ']':
		return name[1 : len(name)-1]
	}
	return name
}
