package mysql

import (
	"context"
	"errors"

	"github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect"
)

var (
	_ dialect.Schemas       = Dialect{}
	_ dialect.Databases     = Dialect{}
	_ dialect.ConnectErrors = Dialect{}
	_ dialect.Grants        = Dialect{}
	_ dialect.Versioner     = Dialect{}
)

// ListSchemas returns the databases whose name is LIKE pattern, in name
// order: a MySQL schema is a database. The system databases
// (SystemSchema) are never listed.
func (d Dialect) ListSchemas(ctx context.Context, q dialect.Execer, pattern string) ([]string, error) {
	names, err := dialect.QueryStrings(ctx, q, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
 WHERE SCHEMA_NAME LIKE ? AND LOWER(SCHEMA_NAME) NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
 ORDER BY SCHEMA_NAME`, pattern)
	if err != nil {
		return nil, err
	}
	return dialect.FilterSchemas(names, d.SystemSchema), nil
}

// UseSchema returns USE the database.
func (d Dialect) UseSchema(schema string) string { return "USE " + d.QuoteIdent(schema) }

// CreateDatabase creates the database name.
func (d Dialect) CreateDatabase(ctx context.Context, q dialect.Execer, name string) error {
	_, err := q.ExecContext(ctx, "CREATE DATABASE "+d.QuoteIdent(name))
	return err
}

// ListDatabases returns the databases whose name is LIKE pattern.
func (Dialect) ListDatabases(ctx context.Context, q dialect.Execer, pattern string) ([]string, error) {
	return dialect.QueryStrings(ctx, q, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ?", pattern)
}

// DropDatabase drops the database name if it exists.
func (d Dialect) DropDatabase(ctx context.Context, q dialect.Execer, name string) error {
	_, err := q.ExecContext(ctx, "DROP DATABASE IF EXISTS "+d.QuoteIdent(name))
	return err
}

// Server error numbers that decide how a failed connection is treated.
var (
	// authFailed: access denied for user (1045), to database (1044).
	authFailed = map[uint16]bool{1045: true, 1044: true}
)

const noDatabase = 1049 // ER_BAD_DB_ERROR

// AuthFailed reports whether err is the server denying the user access.
func (Dialect) AuthFailed(err error) bool {
	var my *mysql.MySQLError
	return errors.As(err, &my) && authFailed[my.Number]
}

// MissingDatabase reports whether err says the database does not exist.
func (Dialect) MissingDatabase(err error) bool {
	var my *mysql.MySQLError
	return errors.As(err, &my) && my.Number == noDatabase
}

// ServerVersion returns "MySQL " or "MariaDB " and the server's version.
func (Dialect) ServerVersion(ctx context.Context, q dialect.Execer) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT CONCAT(IF(VERSION() LIKE '%MariaDB%', 'MariaDB ', 'MySQL '), VERSION())").Scan(&v)
	return v, err
}
