package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
)

var (
	_ dialect.Schemas       = Dialect{}
	_ dialect.Databases     = Dialect{}
	_ dialect.ConnectErrors = Dialect{}
	_ dialect.Grants        = Dialect{}
	_ dialect.Versioner     = Dialect{}
)

// ListSchemas returns the schemas whose name is LIKE pattern, in name
// order, without the system ones (SystemSchema).
func (d Dialect) ListSchemas(ctx context.Context, q dialect.Execer, pattern string) ([]string, error) {
	names, err := dialect.QueryStrings(ctx, q, `SELECT nspname FROM pg_catalog.pg_namespace
 WHERE nspname LIKE $1 AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
 ORDER BY nspname`, pattern)
	if err != nil {
		return nil, err
	}
	return dialect.FilterSchemas(names, d.SystemSchema), nil
}

// UseSchema returns SET search_path TO the schema.
func (d Dialect) UseSchema(schema string) string { return "SET search_path TO " + d.QuoteIdent(schema) }

// CreateDatabase creates the database name.
func (d Dialect) CreateDatabase(ctx context.Context, q dialect.Execer, name string) error {
	_, err := q.ExecContext(ctx, "CREATE DATABASE "+d.QuoteIdent(name))
	return err
}

// ListDatabases returns the databases whose name is LIKE pattern.
func (Dialect) ListDatabases(ctx context.Context, q dialect.Execer, pattern string) ([]string, error) {
	return dialect.QueryStrings(ctx, q, "SELECT datname FROM pg_database WHERE datname LIKE $1", pattern)
}

// DropDatabase ends the other sessions on the database name, which
// PostgreSQL will not drop while they last, then drops it.
func (d Dialect) DropDatabase(ctx context.Context, q dialect.Execer, name string) error {
	if _, err := q.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		return fmt.Errorf("disconnect from database %s: %w", name, err)
	}
	_, err := q.ExecContext(ctx, "DROP DATABASE IF EXISTS "+d.QuoteIdent(name))
	return err
}

// SQLSTATEs that decide how a failed connection is treated.
var (
	// pgAuthFailed: invalid_password, invalid_authorization_specification.
	pgAuthFailed = map[string]bool{"28P01": true, "28000": true}
)

const pgNoDatabase = "3D000" // invalid_catalog_name

// AuthFailed reports whether err is a wrong password or an unknown role.
func (Dialect) AuthFailed(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pgAuthFailed[pg.Code]
}

// MissingDatabase reports whether err says the database does not exist.
func (Dialect) MissingDatabase(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == pgNoDatabase
}

// ServerVersion returns "PostgreSQL " and the server's version.
func (Dialect) ServerVersion(ctx context.Context, q dialect.Execer) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT 'PostgreSQL ' || current_setting('server_version')").Scan(&v)
	return v, err
}

// DDLGrants lists what lets the current user run DDL in schema:
// superuser, CREATE on the schema or database, owning the schema or tables
// in it (directly or through a role it belongs to).
func (Dialect) DDLGrants(ctx context.Context, q dialect.Execer, schema string) (user string, grants []string, err error) {
	var (
		super, schemaCreate, dbCreate, schemaOwner bool
		owned                                      sql.NullString
	)
	err = q.QueryRowContext(ctx, `
SELECT current_user,
       r.rolsuper,
       has_schema_privilege(current_user, s.nspname, 'CREATE'),
       has_database_privilege(current_user, current_database(), 'CREATE'),
       pg_has_role(current_user, s.nspowner, 'USAGE'),
       (SELECT string_agg(c.relname, ', ' ORDER BY c.relname)
          FROM pg_class c
         WHERE c.relnamespace = s.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND pg_has_role(current_user, c.relowner, 'USAGE'))
  FROM pg_namespace s, pg_roles r
 WHERE s.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND r.rolname = current_user`, schema).
		Scan(&user, &super, &schemaCreate, &dbCreate, &schemaOwner, &owned)
	if err == sql.ErrNoRows {
		return "", nil, fmt.Errorf("schema %q does not exist or is not visible to the application user", schema)
	}
	if err != nil {
		return "", nil, err
	}
	if super {
		grants = append(grants, "is a superuser")
	}
	if schemaOwner {
		grants = append(grants, "owns the schema (or is a member of its owner)")
	} else if schemaCreate {
		grants = append(grants, "has CREATE on the schema")
	}
	if dbCreate {
		grants = append(grants, "has CREATE on the database (can create schemas)")
	}
	if owned.Valid && owned.String != "" {
		grants = append(grants, "owns (can alter and drop) "+truncate(owned.String, 200))
	}
	return user, grants, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
