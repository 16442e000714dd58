package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// Found is another tool's history table found in a database.
type Found struct {
	Tool  Tool
	Table dialect.Table
	Rows  int
}

// FindOthers lists the history tables of other migration tools present in
// the connection's database or schema, under their default names, with
// their row counts. schema_migrations is told apart by its columns
// (golang-migrate has dirty, dbmate has not).
func FindOthers(ctx context.Context, q dialect.Execer, d dialect.Dialect) ([]Found, error) {
	var out []Found
	seen := map[string]bool{}
	for _, tool := range Tools() {
		t, err := FindTable(ctx, q, d, tool, "")
		if errors.Is(err, ErrNoHistory) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t.Name == "schema_migrations" {
			cols, err := columns(ctx, q, d, t)
			if err != nil {
				return nil, fmt.Errorf("read the columns of %s: %w", t, err)
			}
			if cols["dirty"] != (tool == GolangMigrate) {
				continue
			}
		}
		if seen[t.String()] {
			continue
		}
		seen[t.String()] = true
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+d.QuoteTable(t)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count the rows of %s: %w", t, err)
		}
		out = append(out, Found{Tool: tool, Table: t, Rows: n})
	}
	return out, nil
}
