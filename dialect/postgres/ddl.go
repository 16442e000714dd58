package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/strata-db/strata/dialect"
)

// DDLLockTimeout sets lock_timeout: SET LOCAL inside the file's
// transaction, which ends with it, or SET on the session before a file that
// runs outside a transaction, restored to its previous value after it.
func (d Dialect) DDLLockTimeout(ctx context.Context, q dialect.Execer, timeout time.Duration, inTx bool) (set, restore []string, err error) {
	ms := max(timeout.Milliseconds(), 1)
	if inTx {
		return []string{fmt.Sprintf("SET LOCAL lock_timeout = %d", ms)}, nil, nil
	}
	var old string
	if err := q.QueryRowContext(ctx, "SELECT current_setting('lock_timeout')").Scan(&old); err != nil {
		return nil, nil, fmt.Errorf("read lock_timeout: %w", err)
	}
	return []string{fmt.Sprintf("SET lock_timeout = %d", ms)}, []string{"SET lock_timeout = " + quoteLiteral(old)}, nil
}

// Retryable reports lock_not_available (55P03, what lock_timeout raises)
// and deadlock_detected (40P01).
func (Dialect) Retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "40P01")
}

// Objects lists the schemas, tables, views, sequences, functions,
// procedures and types that are not PostgreSQL's own.
func (Dialect) Objects(ctx context.Context, q dialect.Execer) ([]string, error) {
	return dialect.QueryStrings(ctx, q, `
SELECT 'schema ' || nspname FROM pg_namespace
 WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table ' ELSE 'table ' END
       || n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
   AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend dp WHERE dp.objid = c.oid AND dp.deptype IN ('e', 'i', 'a') AND c.relkind = 'S')
UNION ALL
SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT EXISTS (SELECT 1 FROM pg_depend dp WHERE dp.objid = p.oid AND dp.deptype = 'e')
UNION ALL
SELECT 'type ' || n.nspname || '.' || t.typname
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
   AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
ORDER BY 1`)
}

// InvalidIndexes lists the indexes in the search path that are marked
// invalid, as a failed CREATE INDEX CONCURRENTLY leaves them.
func (Dialect) InvalidIndexes(ctx context.Context, q dialect.Execer) ([]string, error) {
	return dialect.QueryStrings(ctx, q, `
SELECT n.nspname || '.' || c.relname
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT i.indisvalid AND n.nspname = ANY (current_schemas(false))
 ORDER BY 1`)
}

// quoteLiteral quotes a string literal.
func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
