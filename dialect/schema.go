package dialect

import (
	"context"

	"github.com/strata-db/strata/schema"
)

// SchemaReader is implemented by dialects that can read the live schema
// from the server's catalogs into a schema.Snapshot, for drift detection
// and `schema dump`. The snapshot must not depend on the order objects were
// created in, on the session's search_path, on statistics, row counts or
// sequence positions; it leaves out the tables whose names skip reports
// true (strata's own history, audit, lock and snapshot tables).
type SchemaReader interface {
	// ReadSchema reads every object migrations can create: on
	// PostgreSQL in every non-system schema, on MySQL/MariaDB in the
	// connection's current database, on SQLite in the main database.
	// skip is called with the schema ("" where the database has none)
	// and name of each table; a table it reports true for is left out
	// with its indexes, triggers and constraints.
	ReadSchema(ctx context.Context, q Execer, skip func(schemaName, table string) bool) (*schema.Snapshot, error)
}

// ScopedSchemaReader is a SchemaReader that can read one schema of a
// database with many (PostgreSQL), for a Migrator whose migrations create
// objects in one schema only: a tenant of a schema-per-tenant fleet, whose
// snapshot must not hold, or drift with, the other tenants' schemas.
type ScopedSchemaReader interface {
	// ReadSchemaOf is ReadSchema of the schema named schemaName only
	// (every schema when "").
	ReadSchemaOf(ctx context.Context, q Execer, schemaName string, skip func(schemaName, table string) bool) (*schema.Snapshot, error)
}
