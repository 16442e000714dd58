// Package mysql is strata's MySQL/MariaDB dialect. MySQL commits DDL
// implicitly, so files containing DDL run statement by statement with their
// progress recorded after each one; files of plain DML run in a transaction.
// The lock is GET_LOCK on a connection of its own.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// Dialect is the MySQL/MariaDB dialect. The zero value is ready to use.
type Dialect struct{}

// New returns the MySQL/MariaDB dialect.
func New() Dialect { return Dialect{} }

var _ dialect.Dialect = Dialect{}

// Name returns "mysql".
func (Dialect) Name() string { return "mysql" }

// Scanner returns the MySQL scanner rules.
func (Dialect) Scanner() sqlsplit.Dialect { return sqlsplit.MySQL }

// TransactionalDDL is false: MySQL and MariaDB commit DDL implicitly.
func (Dialect) TransactionalDDL() bool { return false }

// dml lists statements that do not commit implicitly.
var dml = regexp.MustCompile(`(?is)^\s*(\(\s*)?(INSERT|UPDATE|DELETE|REPLACE|SELECT|WITH|VALUES|CALL|DO|SET\s+@|SET\s+(SESSION\s+)?(FOREIGN_KEY_CHECKS|UNIQUE_CHECKS|SQL_MODE|NAMES|CHARACTER\s+SET|TIME_ZONE)\b)`)

// NoTransactionReason returns a reason for every statement that commits
// implicitly (DDL, LOCK TABLES, ...) or that controls transactions.
func (Dialect) NoTransactionReason(stmt string) string {
	if dialect.IsTransactionControl(stmt) {
		return "the file manages its own transactions (BEGIN/COMMIT)"
	}
	if dml.MatchString(stmt) {
		return ""
	}
	return "MySQL/MariaDB commit DDL implicitly, so it cannot be rolled back"
}

var sessionStmt = regexp.MustCompile(`(?is)^\s*(SET|USE|LOCK\s+TABLES|CREATE\s+TEMPORARY|PREPARE)\b`)

// ChangesSession reports SET, USE, LOCK TABLES, temporary tables, prepared
// statements and user variables (any @, even in a string: a needless
// reconnect is cheap). It matches keywords on the statement's first bytes
// only, since a data migration's INSERT can be megabytes long.
func (Dialect) ChangesSession(stmt string) bool {
	return sessionStmt.MatchString(dialect.Head(stmt, 64)) || strings.IndexByte(stmt, '@') >= 0
}

// ResetSession asks for a new connection: MySQL has no SQL statement that
// resets a session, and the driver does not expose COM_RESET_CONNECTION.
func (Dialect) ResetSession(context.Context, *sql.Conn) error { return dialect.ErrReconnect }

// QuoteIdent quotes an identifier with backticks.
func (Dialect) QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteTable quotes a possibly database-qualified table.
func (d Dialect) QuoteTable(t dialect.Table) string {
	if t.Schema == "" {
		return d.QuoteIdent(t.Name)
	}
	return d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)
}

// Placeholder returns ?.
func (Dialect) Placeholder(int) string { return "?" }

// TextPlaceholder returns a text-typed placeholder.
func (Dialect) TextPlaceholder(int) string { return "?" }

// HistoryDDL creates the history table, its audit table and its schema
// snapshot table (InnoDB, utf8mb4).
func (d Dialect) HistoryDDL(t dialect.Table) []string {
	return []string{"CREATE TABLE IF NOT EXISTS " + d.QuoteTable(t) + ` (
	id                  varchar(300)  NOT NULL PRIMARY KEY,
	version             varchar(128)  NOT NULL,
	name                varchar(1024) NOT NULL,
	kind                varchar(16)   NOT NULL,
	file                varchar(1024) NOT NULL,
	checksum            varchar(64)   NOT NULL,
	status              varchar(16)   NOT NULL,
	statements_applied  int           NOT NULL,
	statements_total    int           NOT NULL,
	statement_checksums longtext,
	started_at          datetime(6)   NOT NULL,
	finished_at         datetime(6)   NULL,
	execution_ms        bigint        NOT NULL,
	applied_by          varchar(512)  NOT NULL,
	error               text,
	strata_version      varchar(64)   NOT NULL,
	phase               varchar(16)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
		"CREATE TABLE IF NOT EXISTS " + d.QuoteTable(dialect.AuditTable(t)) + ` (
	seq            bigint        NOT NULL AUTO_INCREMENT PRIMARY KEY,
	migration_id   varchar(300)  NOT NULL,
	action         varchar(32)   NOT NULL,
	old_state      varchar(16)   NOT NULL,
	new_state      varchar(16)   NOT NULL,
	old_checksum   varchar(64)   NOT NULL,
	new_checksum   varchar(64)   NOT NULL,
	reason         text          NOT NULL,
	performed_by   varchar(512)  NOT NULL,
	performed_at   datetime(6)   NOT NULL,
	detail         text,
	strata_version varchar(64)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
		"CREATE TABLE IF NOT EXISTS " + d.QuoteTable(dialect.SnapshotTable(t)) + ` (
	seq            bigint        NOT NULL AUTO_INCREMENT PRIMARY KEY,
	version        varchar(128)  NOT NULL,
	hash           varchar(64)   NOT NULL,
	snapshot       longblob      NOT NULL,
	taken_at       datetime(6)   NOT NULL,
	taken_by       varchar(512)  NOT NULL,
	reason         text          NOT NULL,
	strata_version varchar(64)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`}
}

// MissingTable reports error 1146 (no such table).
func (Dialect) MissingTable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1146
}

// TableExists queries information_schema.
func (Dialect) TableExists(ctx context.Context, q dialect.Execer, t dialect.Table) (bool, error) {
	var n int
	var err error
	if t.Schema == "" {
		err = q.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", t.Name).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", t.Schema, t.Name).Scan(&n)
	}
	return n > 0, err
}

// CurrentSchema returns DATABASE(), the database the connection uses.
func (Dialect) CurrentSchema(ctx context.Context, q dialect.Execer) (string, error) {
	var s sql.NullString
	err := q.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&s)
	return s.String, err
}

// StatementLimit reads max_allowed_packet, less room for the packet
// header, so a statement the server would reject is caught before it is
// sent.
func (Dialect) StatementLimit(ctx context.Context, q dialect.Execer) (int, string, error) {
	var n int64
	if err := q.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&n); err != nil {
		return 0, "", fmt.Errorf("read max_allowed_packet: %w", err)
	}
	return int(n) - 1024, fmt.Sprintf("the server's max_allowed_packet of %d bytes", n), nil
}

// CurrentUser returns CURRENT_USER().
func (Dialect) CurrentUser(ctx context.Context, q dialect.Execer) (string, error) {
	var u string
	err := q.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&u)
	return u, err
}

// ServerError reads a *mysql.MySQLError.
func (Dialect) ServerError(err error) (code, message string, ok bool) {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return "", "", false
	}
	code = strconv.Itoa(int(me.Number))
	if me.SQLState != [5]byte{} {
		code += " (SQLSTATE " + string(me.SQLState[:]) + ")"
	}
	return code, me.Message, true
}
