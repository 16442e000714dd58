package dialect

import "context"

// The optional interfaces below hold what only some databases can do. A
// caller type-asserts a Dialect to one and says what it needs when the
// database cannot.

// Schemas is implemented by dialects whose server holds many schemas
// (PostgreSQL) or databases (MySQL, MariaDB) that one connection can
// switch between: a fleet with a schema per tenant.
type Schemas interface {
	// ListSchemas returns the names of the schemas whose name is LIKE
	// pattern, in name order, leaving out the server's own schemas
	// (SystemSchema) whatever the pattern: a pattern such as % never
	// reaches a system catalog.
	ListSchemas(ctx context.Context, q Execer, pattern string) ([]string, error)
	// SystemSchema reports whether name is one of the server's own
	// schemas, which strata never migrates.
	SystemSchema(name string) bool
	// UseSchema returns the session statement that makes unqualified
	// names resolve in schema.
	UseSchema(schema string) string
}

// Databases is implemented by dialects whose server can create and drop
// databases on request: strata verify's scratch databases.
type Databases interface {
	// CreateDatabase creates the database name.
	CreateDatabase(ctx context.Context, q Execer, name string) error
	// ListDatabases returns the names of the databases whose name is LIKE
	// pattern (a backslash escapes _ and %).
	ListDatabases(ctx context.Context, q Execer, pattern string) ([]string, error)
	// DropDatabase drops the database name if it exists, first
	// disconnecting whoever still uses it where the server requires it.
	DropDatabase(ctx context.Context, q Execer, name string) error
}

// ConnectErrors is implemented by dialects whose server can refuse a
// connection, so that waiting for it can tell a server that is not up yet
// from one that will never let strata in.
type ConnectErrors interface {
	// AuthFailed reports whether err is the server refusing the user or
	// its password (or its access to the database).
	AuthFailed(err error) bool
	// MissingDatabase reports whether err says the server is up but the
	// database does not exist.
	MissingDatabase(err error) bool
}

// Grants is implemented by dialects whose server has users with
// privileges, so that doctor can tell whether the application's user can
// change the schema.
type Grants interface {
	// DDLGrants returns the current user and, in words, each privilege
	// that lets it change the schema (the database, for MySQL) schema,
	// the connection's current one when empty.
	DDLGrants(ctx context.Context, q Execer, schema string) (user string, grants []string, err error)
}

// Versioner is implemented by dialects that can name the server and its
// version, such as "PostgreSQL 15.4" or "MariaDB 10.11.6".
type Versioner interface {
	ServerVersion(ctx context.Context, q Execer) (string, error)
}
