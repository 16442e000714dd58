package postgres

import (
	"strings"
)

// SystemSchema reports information_schema and the schemas whose name
// starts with pg_ (pg_catalog, pg_toast, pg_temp_N, pg_toast_temp_N), a
// prefix PostgreSQL reserves for itself.
func (Dialect) SystemSchema(name string) bool {
	return name == "information_schema" || strings.HasPrefix(name, "pg_")
}

// MaxIdentifier is 63 bytes (NAMEDATALEN - 1): PostgreSQL truncates longer
// names.
func (Dialect) MaxIdentifier() (int, bool) { return 63, true }
