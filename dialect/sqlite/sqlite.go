// Package sqlite is strata's SQLite dialect (modernc.org/sqlite, pure Go).
// The migration lock is an flock(2) on a file beside the database, which
// excludes other processes and is released by the kernel when a run dies.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// Dialect is the SQLite dialect. The zero value is ready to use.
type Dialect struct{}

// New returns the SQLite dialect.
func New() Dialect { return Dialect{} }

var _ dialect.Dialect = Dialect{}

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// Scanner returns the SQLite scanner rules.
func (Dialect) Scanner() sqlsplit.Dialect { return sqlsplit.SQLite }

// TransactionalDDL is true: SQLite rolls back DDL.
func (Dialect) TransactionalDDL() bool { return true }

var (
	vacuum     = regexp.MustCompile(`(?is)^\s*VACUUM\b`)
	foreignKey = regexp.MustCompile(`(?is)^\s*PRAGMA\s+(\w+\.)?(foreign_keys|journal_mode)\b`)
)

// NoTransactionReason covers VACUUM, transaction control and the PRAGMAs
// that are silently ignored inside a transaction.
func (Dialect) NoTransactionReason(stmt string) string {
	switch {
	case dialect.IsTransactionControl(stmt):
		return "the file manages its own transactions (BEGIN/COMMIT)"
	case vacuum.MatchString(stmt):
		return "VACUUM cannot run inside a transaction"
	case foreignKey.MatchString(stmt):
		return "PRAGMA foreign_keys/journal_mode have no effect inside a transaction"
	}
	return ""
}

// ChangesSession is false: SQLite session state (PRAGMAs) cannot be reset
// without closing the connection, which would lose an in-memory database.
func (Dialect) ChangesSession(string) bool { return false }

// ResetSession does nothing.
func (Dialect) ResetSession(context.Context, *sql.Conn) error { return nil }

// QuoteIdent quotes an identifier with double quotes.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteTable quotes a possibly schema-qualified (attached database) table.
func (d Dialect) QuoteTable(t dialect.Table) string {
	if t.Schema == "" {
		return d.QuoteIdent(t.Name)
	}
	return d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)
}

// Placeholder returns ?n.
func (Dialect) Placeholder(n int) string { return "?" + strconv.Itoa(n) }

// TextPlaceholder returns a text-typed placeholder.
func (Dialect) TextPlaceholder(n int) string { return "?" + strconv.Itoa(n) }

// HistoryDDL creates the history table, its audit table and its schema
// snapshot table.
func (d Dialect) HistoryDDL(t dialect.Table) []string {
	return []string{`CREATE TABLE IF NOT EXISTS ` + d.QuoteTable(t) + ` (
	id                  text      NOT NULL PRIMARY KEY,
	version             text      NOT NULL,
	name                text      NOT NULL,
	kind                text      NOT NULL,
	file                text      NOT NULL,
	checksum            text      NOT NULL,
	status              text      NOT NULL,
	statements_applied  integer   NOT NULL,
	statements_total    integer   NOT NULL,
	statement_checksums text,
	started_at          timestamp NOT NULL,
	finished_at         timestamp,
	execution_ms        integer   NOT NULL,
	applied_by          text      NOT NULL,
	error               text,
	strata_version      text      NOT NULL,
	phase               varchar(16)
)`, `CREATE TABLE IF NOT EXISTS ` + d.QuoteTable(dialect.AuditTable(t)) + ` (
	seq            integer   PRIMARY KEY AUTOINCREMENT,
	migration_id   text      NOT NULL,
	action         text      NOT NULL,
	old_state      text      NOT NULL,
	new_state      text      NOT NULL,
	old_checksum   text      NOT NULL,
	new_checksum   text      NOT NULL,
	reason         text      NOT NULL,
	performed_by   text      NOT NULL,
	performed_at   timestamp NOT NULL,
	detail         text,
	strata_version text      NOT NULL
)`, `CREATE TABLE IF NOT EXISTS ` + d.QuoteTable(dialect.SnapshotTable(t)) + ` (
	seq            integer   PRIMARY KEY AUTOINCREMENT,
	version        text      NOT NULL,
	hash           text      NOT NULL,
	snapshot       blob      NOT NULL,
	taken_at       timestamp NOT NULL,
	taken_by       text      NOT NULL,
	reason         text      NOT NULL,
	strata_version text      NOT NULL
)`}
}

// MissingTable reports "no such table".
func (Dialect) MissingTable(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && strings.Contains(se.Error(), "no such table")
}

// TableExists queries sqlite_master.
func (d Dialect) TableExists(ctx context.Context, q dialect.Execer, t dialect.Table) (bool, error) {
	master := "sqlite_master"
	if t.Schema != "" {
		master = d.QuoteIdent(t.Schema) + ".sqlite_master"
	}
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+master+" WHERE type = 'table' AND name = ?1", t.Name).Scan(&n)
	return n > 0, err
}

// StatementLimit is 0: SQLite's default limit is 1 GB.
func (Dialect) StatementLimit(context.Context, dialect.Execer) (int, string, error) {
	return 0, "", nil
}

// CurrentUser returns "": SQLite has no users; strata records the OS user.
func (Dialect) CurrentUser(context.Context, dialect.Execer) (string, error) { return "", nil }

// ServerError reads a *sqlite.Error.
func (Dialect) ServerError(err error) (code, message string, ok bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", "", false
	}
	return strconv.Itoa(se.Code()), se.Error(), true
}

// Lock takes an exclusive flock on "<database file>.strata-lock" (see
// lockPath). An
// in-memory database has one connection in one process, so it needs none.
func (Dialect) Lock(ctx context.Context, _ *sql.DB, conn *sql.Conn, t dialect.Table, timeout time.Duration, waiting func(string)) (dialect.Lock, error) {
	var path string
	schema := "main"
	if t.Schema != "" {
		schema = t.Schema
	}
	err := conn.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = ?1", schema).Scan(&path)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find database file: %w", err)
	}
	if path == "" {
		return noLock{}, nil
	}
	return lockFile(ctx, lockPath(path, t), timeout, waiting)
}

// LockHolder describes the holder of the session-mode lock file of
// history table t, or "" when it is free. It holds nothing afterwards.
func (Dialect) LockHolder(ctx context.Context, db dialect.Execer, t dialect.Table) (string, error) {
	schema := "main"
	if t.Schema != "" {
		schema = t.Schema
	}
	var path string
	err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = ?1", schema).Scan(&path)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find database file: %w", err)
	}
	if path == "" {
		return "", nil
	}
	return fileHolder(lockPath(path, t))
}

var _ dialect.LockProber = Dialect{}

// lockPath is "<database>.strata-lock" for the default history table and
// "<database>.<table>.strata-lock" (table in lower case) for others, so two history tables in one
// database (two tools, or tenants) do not block each other.
func lockPath(db string, t dialect.Table) string {
	// SQLite compares identifiers without ASCII case: STRATA_History and
	// strata_history are one table, so they must be one lock.
	if strings.EqualFold(t.Name, "strata_schema_history") {
		return db + ".strata-lock"
	}
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-':
			return r
		}
		return '_'
	}, t.Name)
	return db + "." + safe + ".strata-lock"
}

type noLock struct{}

func (noLock) Release(context.Context) error { return nil }

// NowMS is the clock of the host the database file is on, in
// milliseconds.
func (Dialect) NowMS() string {
	return "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
}

var _ dialect.Versioner = Dialect{}

// ServerVersion returns "SQLite " and the library's version.
func (Dialect) ServerVersion(ctx context.Context, q dialect.Execer) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT 'SQLite ' || sqlite_version()").Scan(&v)
	return v, err
}
