package mysql

import (
	"context"
	"strings"

	"github.com/strata-db/strata/dialect"
)

// UserSchemas lists the databases LIKE pattern, without the system ones.
func (d Dialect) UserSchemas(ctx context.Context, q dialect.Execer, pattern string) ([]string, error) {
	names, err := dialect.QueryStrings(ctx, q, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
 WHERE SCHEMA_NAME LIKE ? AND LOWER(SCHEMA_NAME) NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
 ORDER BY SCHEMA_NAME`, pattern)
	if err != nil {
		return nil, err
	}
	return dialect.FilterSchemas(names, d.SystemSchema), nil
}

// SystemSchema reports the server's own databases: mysql,
// information_schema, performance_schema and sys (compared without case,
// as they are on servers with case-insensitive names).
func (Dialect) SystemSchema(name string) bool {
	switch strings.ToLower(name) {
	case "mysql", "information_schema", "performance_schema", "sys":
		return true
	}
	return false
}

// MaxIdentifier is 64 characters, the longest table or database name.
func (Dialect) MaxIdentifier() (int, bool) { return 64, false }
