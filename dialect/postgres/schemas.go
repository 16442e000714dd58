package postgres

import (
	"context"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// UserSchemas lists the schemas LIKE pattern, without the system ones.
func (d Dialect) UserSchemas(ctx context.Context, q dialect.Execer, pattern string) ([]string, error) {
	names, err := dialect.QueryStrings(ctx, q, `SELECT nspname FROM pg_catalog.pg_namespace
 WHERE nspname LIKE $1 AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
 ORDER BY nspname`, pattern)
	if err != nil {
		return nil, err
	}
	return dialect.FilterSchemas(names, d.SystemSchema), nil
}

// SystemSchema reports information_schema and the schemas whose name
// starts with pg_ (pg_catalog, pg_toast, pg_temp_N, pg_toast_temp_N), a
// prefix PostgreSQL reserves for itself.
func (Dialect) SystemSchema(name string) bool {
	return name == "information_schema" || strings.HasPrefix(name, "pg_")
}

// MaxIdentifier is 63 bytes (NAMEDATALEN - 1): PostgreSQL truncates longer
// names.
func (Dialect) MaxIdentifier() (int, bool) { return 63, true }
