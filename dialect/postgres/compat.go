package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/strata-db/strata/dialect"
)

var (
	_ dialect.QueryChecker  = Dialect{}
	_ dialect.QueryCapturer = Dialect{}
)

// Prepare sends each query as the unnamed prepared statement (Parse and
// Describe, one round trip each): the server resolves every name and
// infers the parameters' types without running it. The next Parse
// replaces it.
func (Dialect) Prepare(ctx context.Context, conn *sql.Conn, queries []string) ([]error, error) {
	errs := make([]error, len(queries))
	err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("prepare needs a pgx connection, got %T", dc)
		}
		pc := sc.Conn().PgConn()
		for i, q := range queries {
			_, err := pc.Prepare(ctx, "", q, nil)
			var pe *pgconn.PgError
			if err != nil && !errors.As(err, &pe) {
				return err // the connection, not the query
			}
			errs[i] = err
		}
		return nil
	})
	return errs, err
}

// Columns reads the columns of the table named as written in a query
// (quoted or not, schema-qualified or found on the search path).
func (Dialect) Columns(ctx context.Context, q dialect.Execer, t dialect.Table) ([]dialect.Column, error) {
	name := t.Name
	if t.Schema != "" {
		name = t.Schema + "." + t.Name
	}
	rows, err := q.QueryContext(ctx, `SELECT a.attname::text,
       a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = ''
  FROM pg_attribute a
 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`, name)
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

// captureEnable says how to make pg_stat_statements available.
const captureEnable = "add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server, " +
	"then run CREATE EXTENSION pg_stat_statements in this database; a role that did not run the queries needs pg_read_all_stats to see their text"

// CaptureQueries reads pg_stat_statements for the connection's database,
// most called first. Its texts have $n in place of every constant.
func (Dialect) CaptureQueries(ctx context.Context, q dialect.Execer) ([]string, error) {
	var schema string
	err := q.QueryRowContext(ctx, `SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`).Scan(&schema)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &dialect.CaptureUnavailableError{Source: "pg_stat_statements", Reason: "the extension is not installed in this database", Enable: captureEnable}
	}
	if err != nil {
		return nil, err
	}
	view := Dialect{}.QuoteTable(dialect.Table{Schema: schema, Name: "pg_stat_statements"})
	texts, err := dialect.QueryStrings(ctx, q, `SELECT query FROM `+view+`
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND query IS NOT NULL AND query <> '<insufficient privilege>'
 GROUP BY query ORDER BY sum(calls) DESC, query`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55000" {
		return nil, &dialect.CaptureUnavailableError{Source: "pg_stat_statements", Reason: "the library is not loaded (" + pe.Message + ")", Enable: captureEnable, Err: err}
	}
	return texts, err
}

// SystemName reports the catalogs, pg_* names, and the functions that
// read the session.
func (Dialect) SystemName(name string) bool {
	switch name {
	case "information_schema", "current_schema", "current_schemas", "current_database", "current_setting",
		"current_user", "session_user", "version", "set_config":
		return true
	}
	return strings.HasPrefix(name, "pg_")
}
