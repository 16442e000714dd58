// Package dialect defines the one interface every database strata supports
// implements. A dialect is data and small functions: the SQL for the history
// table, the database lock, the statement scanner's rules, which statements
// cannot run inside a transaction, and how server errors are read.
//
// Implementations live in the postgres, mysql and sqlite subpackages. They
// are chosen by a literal switch on the URL scheme in one place
// (internal/config); there is no registry.
package dialect

import (
	"context"
	"database/sql"
	"time"

	"github.com/strata-db/strata/sqlsplit"
)

// Execer is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Table names a table, optionally qualified by a schema (PostgreSQL) or
// database (MySQL).
type Table struct {
	Schema string // empty: the connection's current schema/database
	Name   string
}

// String returns the unquoted, dotted form for messages.
func (t Table) String() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// Dialect is the contract every database implements. Methods that touch the
// database take a context first. Implementations must be safe for
// concurrent use and hold no mutable state.
type Dialect interface {
	// Name is the dialect's short name: "postgres", "mysql" or "sqlite".
	Name() string
	// Scanner returns the statement scanner's rules for this database.
	Scanner() sqlsplit.Dialect
	// TransactionalDDL reports whether DDL statements can be rolled back.
	// When false (MySQL/MariaDB), strata runs each file statement by
	// statement and records progress after each one.
	TransactionalDDL() bool
	// NoTransactionReason returns why stmt cannot run inside a
	// transaction (for example "CREATE INDEX CONCURRENTLY cannot run in a
	// transaction block"), or "" when it can.
	NoTransactionReason(stmt string) string
	// ChangesSession reports whether stmt may change session state that
	// must not leak into the next file (SET, temporary tables ...).
	ChangesSession(stmt string) bool
	// ResetSession undoes session state left by a file on conn. It returns
	// [ErrReconnect] when the only way is a new connection.
	ResetSession(ctx context.Context, conn *sql.Conn) error

	// QuoteIdent quotes one identifier.
	QuoteIdent(name string) string
	// QuoteTable quotes a possibly schema-qualified table name.
	QuoteTable(t Table) string
	// Placeholder returns the n-th (1-based) bind parameter marker.
	Placeholder(n int) string
	// TextPlaceholder is Placeholder for a parameter the server must
	// treat as text where it cannot infer a type (inside CONCAT).
	TextPlaceholder(n int) string
	// HistoryDDL returns the statements that create the history table if
	// it does not exist, idempotently.
	HistoryDDL(t Table) []string
	// MissingTable reports whether err says that a queried table does
	// not exist, so a history read can be one query.
	MissingTable(err error) bool
	// TableExists reports whether the table exists.
	TableExists(ctx context.Context, q Execer, t Table) (bool, error)
	// StatementLimit returns the largest statement in bytes the server
	// accepts and the limit's name for messages, or 0 for no practical
	// limit.
	StatementLimit(ctx context.Context, q Execer) (limit int, name string, err error)
	// CurrentUser returns the database user strata is connected as.
	CurrentUser(ctx context.Context, q Execer) (string, error)

	// Lock takes the migration lock for the history table t, waiting and
	// polling until ctx is done or timeout passes; conn is the pinned
	// connection the run works on. While waiting it calls waiting (if not
	// nil) every few seconds with a description of the holder. The
	// returned Lock must be released with a context that is not cancelled.
	Lock(ctx context.Context, db *sql.DB, conn *sql.Conn, t Table, timeout time.Duration, waiting func(holder string)) (Lock, error)

	// ServerError extracts the server's error code (SQLSTATE or MySQL
	// error number) and message from err, or ok=false when err is not a
	// server error.
	ServerError(err error) (code, message string, ok bool)

	// DDLLockTimeout returns the statements that make one file's
	// statements wait at most timeout for a lock, and the statements that
	// undo them after the file (nil when the setting ends with the
	// transaction). inTx says the file runs in a transaction; q is the
	// connection it runs on, read for the values to restore.
	DDLLockTimeout(ctx context.Context, q Execer, timeout time.Duration, inTx bool) (set, restore []string, err error)
	// Retryable reports whether err is a lock timeout or a deadlock, after
	// which a file that ran in a transaction can be run again from its
	// start.
	Retryable(err error) bool
	// Objects lists the objects in the connection's database (or, on
	// PostgreSQL, every non-system schema) that migrations can create:
	// "table NAME", "view NAME", "function NAME(ARGS)" and so on.
	Objects(ctx context.Context, q Execer) ([]string, error)
}

// SchemaResolver is implemented by dialects whose session has a current
// schema or database that a migration's own SQL can change (PostgreSQL's
// SET search_path, MySQL's USE). strata reads it once, on its first
// connection after the session SQL, and qualifies its history, audit and
// lock tables with it, so a file that switches schema or database does
// not move strata's bookkeeping into another schema's tables.
type SchemaResolver interface {
	// CurrentSchema returns the session's current schema (PostgreSQL) or
	// database (MySQL), or "" when there is none.
	CurrentSchema(ctx context.Context, q Execer) (string, error)
}

// StringRules is implemented by dialects whose session settings change
// where a string literal ends: MySQL's sql_mode NO_BACKSLASH_ESCAPES,
// PostgreSQL's standard_conforming_strings. strata reads the rule on a
// connection after the session SQL and splits files with it, so that the
// statements it shows and runs are the ones the server sees.
type StringRules interface {
	// Backslash reads the session's rule on q.
	Backslash(ctx context.Context, q Execer) (sqlsplit.Backslash, error)
	// TrackBackslash follows one file whose statements may change the
	// rule themselves, starting from start.
	TrackBackslash(start sqlsplit.Backslash) BackslashTracker
}

// BackslashTracker follows the statements of one file, in order.
type BackslashTracker interface {
	// Next returns the rule in force after stmt runs. It returns an error
	// saying why when stmt changes the rule in a way strata cannot read
	// from its text (an expression, DEFAULT, RESET), since the file's
	// later statements could then not be split as the server will read
	// them.
	Next(stmt string) (sqlsplit.Backslash, error)
}

// Lock is a held migration lock.
type Lock interface {
	// Release releases the lock. Call it with a context that is not
	// cancelled (context.WithoutCancel) so Ctrl-C still unlocks.
	Release(ctx context.Context) error
}

// LockTimeoutError is returned by Dialect.Lock when the lock could not be
// taken before the timeout.
type LockTimeoutError struct {
	Timeout time.Duration
	Holder  string // who held the lock, as far as the database tells
}

// Error says how long the run waited, who holds the lock and what to do.
func (e *LockTimeoutError) Error() string {
	return e.Found() + "; another run is migrating this database: wait for it, or raise the lock timeout"
}

// Found says how long the run waited and who holds the lock: Error
// without what to do, for front ends that phrase their own hint.
func (e *LockTimeoutError) Found() string {
	msg := "timed out after " + e.Timeout.String() + " waiting for the migration lock"
	if e.Holder != "" {
		msg += "; held by " + e.Holder
	}
	return msg
}

// ErrReconnect is returned by ResetSession when the session cannot be reset
// in place and the caller should use a new connection.
var ErrReconnect = errReconnect{}

type errReconnect struct{}

func (errReconnect) Error() string { return "session cannot be reset in place; reconnect" }

// Query is one statement with its arguments, for [Pipeliner].
type Query struct {
	SQL  string
	Args []any
}

// Pipeliner is implemented by dialects that can send several statements in
// one round trip (PostgreSQL's pipeline mode, MySQL's multi-statement
// queries). Pipeline sends every query
// on conn, in order, and reads their results. It returns how many queries
// completed; when err is not nil, queries[done] is the one that failed and
// the server skipped the rest. Arguments may be string, int, int64,
// time.Time, sql.NullString and sql.NullTime.
type Pipeliner interface {
	Pipeline(ctx context.Context, conn *sql.Conn, queries []Query) (done int, err error)
	// CanPipeline reports whether conn can pipeline at all (a MySQL
	// connection needs multiStatements), asking the server if need be.
	CanPipeline(ctx context.Context, conn *sql.Conn) bool
	// ElapsedMS returns an SQL expression that, in a query of a batch sent
	// by Pipeline, is the whole milliseconds (an integer) since the batch
	// began on the server, read from the server's clock when the query
	// runs: the history row sent after a file's statements records how
	// long they ran, in the same round trip.
	ElapsedMS() string
	// AddElapsed returns an SQL expression for the timestamp start (an
	// SQL expression, such as a placeholder for a time.Time argument)
	// plus the time since the batch began on the server, as ElapsedMS.
	AddElapsed(start string) string
}

// Batcher is implemented by dialects that can run many of a file's
// statements in one round trip inside the transaction open on a
// connection (PostgreSQL's multi-statement simple queries, MySQL's
// multi-statement queries): strata sends a large file in a transaction as
// a stream of such batches, each bounded by a byte budget, instead of a
// round trip per statement.
type Batcher interface {
	// CanBatch reports whether conn can run batches at all (a MySQL
	// connection needs multiStatements), asking the server if need be.
	CanBatch(ctx context.Context, conn *sql.Conn) bool
	// ExecBatch runs stmts, in order, on conn, inside the transaction open
	// on it. Each is a statement as the splitter yields it (no delimiter,
	// possibly ending in a line comment). When err is nil, failed is
	// len(stmts). When a statement failed, failed is its index and err its
	// error; the statements after it did not run, and those before it may
	// not have either (PostgreSQL parses a whole batch before running
	// it), which does not matter as the transaction is rolled back. When
	// the batch failed otherwise (the connection broke, ctx was
	// cancelled), failed is the index of the statement that was running.
	ExecBatch(ctx context.Context, conn *sql.Conn, stmts []string) (failed int, err error)
	// BatchOverhead is the bytes ExecBatch adds to each statement, so that
	// the caller keeps a batch under the server's largest packet.
	BatchOverhead() int
}

// TimeText is implemented by dialects whose driver turns timestamps into
// values according to connection settings that a library user chooses
// (go-sql-driver/mysql: parseTime decides whether a DATETIME reads as a
// time.Time or as bytes, loc the time zone of its wall clock, both ways).
// strata writes and reads its own timestamp columns through it, as UTC
// text, so they mean the same instant whatever the connection's settings.
type TimeText interface {
	// TimeArg returns the argument that stores t, given in UTC, in a
	// timestamp column as that UTC wall clock.
	TimeArg(t time.Time) any
	// SelectTime returns an expression that reads timestamp column col
	// as text in UTC, "YYYY-MM-DD HH:MM:SS" with an optional fraction
	// (NULL stays NULL).
	SelectTime(col string) string
}

// QueryKiller is implemented by dialects whose driver abandons a cancelled
// statement without stopping it on the server (MySQL drops the connection,
// and the server finishes the statement anyway). KillOnCancel arranges
// that, when ctx is cancelled, the statement running on conn is stopped by
// the server, through a new connection from db; stop ends the arrangement.
type QueryKiller interface {
	KillOnCancel(ctx context.Context, db *sql.DB, conn *sql.Conn) (stop func(), err error)
}

// AsyncCommitter is implemented by dialects whose server can commit one
// transaction without waiting for its log to reach disk (PostgreSQL's
// synchronous_commit). strata commits every file of a run but the last
// that way: each file stays atomic with its history row and becomes
// visible at once, and the last file's ordinary commit flushes the log
// for all of them (the log is written in order), so a run of many small
// files waits for one flush instead of one per file. When a run stops
// early, WaitDurable waits for the flush before strata reports.
type AsyncCommitter interface {
	// AsyncCommit returns the statement that, run first in a
	// transaction, lets its commit return before the log is flushed.
	AsyncCommit() string
	// WaitDurable waits until every transaction committed on conn so far
	// is flushed to disk on the server.
	WaitDurable(ctx context.Context, conn *sql.Conn) error
}
