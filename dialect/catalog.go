package dialect

import "context"

// QueryStrings runs a query returning one text column and collects it.
func QueryStrings(ctx context.Context, q Execer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// InvalidIndexer is implemented by dialects whose failed index builds can
// leave an invalid index behind (PostgreSQL's CREATE INDEX CONCURRENTLY).
type InvalidIndexer interface {
	// InvalidIndexes lists the invalid indexes in the connection's
	// schemas, as schema.name.
	InvalidIndexes(ctx context.Context, q Execer) ([]string, error)
}

// SchemaLister is implemented by dialects whose server holds many schemas
// (PostgreSQL) or databases (MySQL, MariaDB) that a fleet can run on, one
// per tenant.
type SchemaLister interface {
	// UserSchemas lists the schemas whose name is LIKE pattern, in name
	// order, leaving out the server's own schemas (SystemSchema) whatever
	// the pattern: a pattern such as % never reaches a system catalog.
	UserSchemas(ctx context.Context, q Execer, pattern string) ([]string, error)
	// SystemSchema reports whether name is one of the server's own
	// schemas, which strata never migrates.
	SystemSchema(name string) bool
}

// FilterSchemas returns names without those system reports true for.
func FilterSchemas(names []string, system func(string) bool) []string {
	out := names[:0]
	for _, n := range names {
		if !system(n) {
			out = append(out, n)
		}
	}
	return out
}
