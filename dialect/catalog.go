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
