// Package postgres is strata's PostgreSQL dialect: history table SQL, a
// session advisory lock polled so a context can cancel the wait, the
// statements that cannot run in a transaction, and SQLSTATE errors.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// Dialect is the PostgreSQL dialect. The zero value is ready to use.
type Dialect struct{}

// New returns the PostgreSQL dialect.
func New() Dialect { return Dialect{} }

var _ dialect.Dialect = Dialect{}

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }

// Scanner returns the PostgreSQL scanner rules.
func (Dialect) Scanner() sqlsplit.Dialect { return sqlsplit.Postgres }

// TransactionalDDL is true: PostgreSQL rolls back DDL.
func (Dialect) TransactionalDDL() bool { return true }

var noTx = []struct {
	re     *regexp.Regexp
	reason string
}{
	{regexp.MustCompile(`(?is)^\s*(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b`), "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*REINDEX\b.*\bCONCURRENTLY\b`), "REINDEX CONCURRENTLY cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*(DETACH|ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY)\b`), "DETACH PARTITION CONCURRENTLY cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*VACUUM\b`), "VACUUM cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*(CREATE|DROP)\s+DATABASE\b`), "CREATE/DROP DATABASE cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*(CREATE|DROP)\s+TABLESPACE\b`), "CREATE/DROP TABLESPACE cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*ALTER\s+SYSTEM\b`), "ALTER SYSTEM cannot run inside a transaction block"},
	{regexp.MustCompile(`(?is)^\s*CREATE\s+SUBSCRIPTION\b`), "CREATE SUBSCRIPTION cannot run inside a transaction block"},
}

// NoTransactionReason returns why stmt cannot run in a transaction.
// ALTER TYPE ... ADD VALUE is allowed in a transaction since PostgreSQL 12,
// which is the oldest server strata supports, so it is not listed.
func (Dialect) NoTransactionReason(stmt string) string {
	if dialect.IsTransactionControl(stmt) {
		return "the file manages its own transactions (BEGIN/COMMIT)"
	}
	for _, r := range noTx {
		if r.re.MatchString(stmt) {
			return r.reason
		}
	}
	return ""
}

// ChangesSession reports statements that may set session state: SET (but
// not SET LOCAL, which ends with the transaction) and set_config().
// It looks at the statement's first bytes and searches the rest without
// copying it, since a data migration's INSERT can be megabytes long.
func (Dialect) ChangesSession(stmt string) bool {
	head := strings.ToUpper(dialect.Head(strings.TrimSpace(stmt), 32))
	if strings.HasPrefix(head, "SET ") {
		return !strings.HasPrefix(head, "SET LOCAL ") && !strings.HasPrefix(head, "SET CONSTRAINTS ") && !strings.HasPrefix(head, "SET TRANSACTION ")
	}
	if strings.HasPrefix(head, "RESET ") {
		return true
	}
	// One pass over the bytes: searching "SET" and then looking at what
	// follows restarted the scan at every "set" in the text, quadratic in a
	// multi-megabyte INSERT whose values say "settle" thousands of times.
	for i := 0; i+3 <= len(stmt); i++ {
		if stmt[i]|0x20 != 's' || stmt[i+1]|0x20 != 'e' || stmt[i+2]|0x20 != 't' {
			continue
		}
		rest := stmt[i+3:]
		for _, tail := range []string{"_CONFIG", " ROLE", " SESSION"} {
			if len(rest) >= len(tail) && strings.EqualFold(rest[:len(tail)], tail) {
				return true
			}
		}
	}
	return false
}

// ResetSession runs RESET ALL. It does not use DISCARD ALL, which would
// also release the session advisory lock held on the same connection.
func (Dialect) ResetSession(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "RESET ALL")
	return err
}

// QuoteIdent quotes an identifier with double quotes.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteTable quotes a possibly schema-qualified table.
func (d Dialect) QuoteTable(t dialect.Table) string {
	if t.Schema == "" {
		return d.QuoteIdent(t.Name)
	}
	return d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)
}

// Placeholder returns $n.
func (Dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// TextPlaceholder returns a text-typed placeholder.
func (Dialect) TextPlaceholder(n int) string { return "$" + strconv.Itoa(n) + "::text" }

// HistoryDDL creates the history table, its audit table and its schema
// snapshot table.
func (d Dialect) HistoryDDL(t dialect.Table) []string {
	return []string{`CREATE TABLE IF NOT EXISTS ` + d.QuoteTable(t) + ` (
	id                  varchar(300) NOT NULL PRIMARY KEY,
	version             varchar(128) NOT NULL,
	name                varchar(1024) NOT NULL,
	kind                varchar(16)  NOT NULL,
	file                varchar(1024) NOT NULL,
	checksum            varchar(64)  NOT NULL,
	status              varchar(16)  NOT NULL,
	statements_applied  integer      NOT NULL,
	statements_total    integer      NOT NULL,
	statement_checksums text,
	started_at          timestamptz  NOT NULL,
	finished_at         timestamptz,
	execution_ms        bigint       NOT NULL,
	applied_by          varchar(512) NOT NULL,
	error               text,
	strata_version      varchar(64)  NOT NULL,
	phase               varchar(16)
)`, `CREATE TABLE IF NOT EXISTS ` + d.QuoteTable(dialect.AuditTable(t)) + ` (
	seq            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	migration_id   varchar(300)  NOT NULL,
	action         varchar(32)   NOT NULL,
	old_state      varchar(16)   NOT NULL,
	new_state      varchar(16)   NOT NULL,
	old_checksum   varchar(64)   NOT NULL,
	new_checksum   varchar(64)   NOT NULL,
	reason         text          NOT NULL,
	performed_by   varchar(512)  NOT NULL,
	performed_at   timestamptz   NOT NULL,
	detail         text,
	strata_version varchar(64)   NOT NULL
)`, `CREATE TABLE IF NOT EXISTS ` + d.QuoteTable(dialect.SnapshotTable(t)) + ` (
	seq            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	version        varchar(128)  NOT NULL,
	hash           varchar(64)   NOT NULL,
	snapshot       bytea         NOT NULL,
	taken_at       timestamptz   NOT NULL,
	taken_by       varchar(512)  NOT NULL,
	reason         text          NOT NULL,
	strata_version varchar(64)   NOT NULL
)`}
}

// MissingTable reports SQLSTATE 42P01 (undefined_table).
func (Dialect) MissingTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}

// TableExists uses to_regclass, which honours the search_path.
func (d Dialect) TableExists(ctx context.Context, q dialect.Execer, t dialect.Table) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", d.QuoteTable(t)).Scan(&ok)
	return ok, err
}

// CurrentSchema returns current_schema(): the first schema of the
// search_path that exists.
func (Dialect) CurrentSchema(ctx context.Context, q dialect.Execer) (string, error) {
	var s sql.NullString
	err := q.QueryRowContext(ctx, "SELECT current_schema()").Scan(&s)
	return s.String, err
}

// StatementLimit is 0: PostgreSQL accepts statements up to 1 GB.
func (Dialect) StatementLimit(context.Context, dialect.Execer) (int, string, error) {
	return 0, "", nil
}

// CurrentUser returns current_user.
func (Dialect) CurrentUser(ctx context.Context, q dialect.Execer) (string, error) {
	var u string
	err := q.QueryRowContext(ctx, "SELECT current_user").Scan(&u)
	return u, err
}

// ServerError reads a *pgconn.PgError.
func (Dialect) ServerError(err error) (code, message string, ok bool) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return "", "", false
	}
	msg := pgErr.Message
	if pgErr.Detail != "" {
		msg += " (" + pgErr.Detail + ")"
	}
	if pgErr.Hint != "" {
		msg += "; hint: " + pgErr.Hint
	}
	return pgErr.Code, msg, true
}

// lockKey derives the advisory lock key from the database, schema and
// history table, so two tools or two history tables in one database do not
// block each other.
func lockKey(ctx context.Context, conn dialect.Execer, t dialect.Table) (int64, error) {
	var db, schema string
	if err := conn.QueryRowContext(ctx, "SELECT current_database(), current_schema()").Scan(&db, &schema); err != nil {
		return 0, fmt.Errorf("derive lock key: %w", err)
	}
	if t.Schema != "" {
		schema = t.Schema
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "strata\x00%s\x00%s\x00%s", db, schema, t.Name)
	return int64(h.Sum64()), nil
}

// Lock takes a session advisory lock on conn (never a transaction-level
// lock, which would make CREATE INDEX CONCURRENTLY wait on itself), polling
// pg_try_advisory_lock so ctx can cancel the wait.
func (Dialect) Lock(ctx context.Context, db *sql.DB, conn *sql.Conn, t dialect.Table, timeout time.Duration, waiting func(string)) (dialect.Lock, error) {
	key, err := lockKey(ctx, conn, t)
	if err != nil {
		return nil, err
	}
	try := func(ctx context.Context) (bool, error) {
		var ok bool
		err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok)
		return ok, err
	}
	holder := func(ctx context.Context) string {
		h, _ := describeHolder(ctx, db, key)
		return h
	}
	if err := dialect.PollLock(ctx, timeout, try, holder, waiting); err != nil {
		return nil, err
	}
	var pid int64
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		return nil, fmt.Errorf("read backend pid: %w", err)
	}
	return advisoryLock{conn: conn, key: key, pid: pid}, nil
}

type advisoryLock struct {
	conn *sql.Conn
	key  int64
	pid  int64 // the backend holding it
}

func (l advisoryLock) Release(ctx context.Context) error {
	_, err := l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", l.key)
	return err
}
