package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/strata-db/strata/dialect"
)

var _ dialect.QueryChecker = Dialect{}

// Prepare compiles each query with sqlite3_prepare, which resolves every
// table and column, and discards it.
func (Dialect) Prepare(ctx context.Context, conn *sql.Conn, queries []string) ([]error, error) {
	errs := make([]error, len(queries))
	for i, q := range queries {
		st, err := conn.PrepareContext(ctx, q)
		if err == nil {
			err = st.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		errs[i] = err
	}
	return errs, nil
}

// Columns reads the table's columns from pragma_table_xinfo. A column is
// required when it is NOT NULL without a default, is not generated and is
// not the rowid alias (a lone INTEGER PRIMARY KEY).
func (Dialect) Columns(ctx context.Context, q dialect.Execer, t dialect.Table) ([]dialect.Column, error) {
	schema := dialect.UnquoteIdent(t.Schema)
	if schema == "" {
		schema = "main"
	}
	rows, err := q.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value IS NULL, pk, hidden,
       (SELECT count(*) FROM pragma_table_xinfo(?1, ?2) WHERE pk > 0)
  FROM pragma_table_xinfo(?1, ?2) ORDER BY cid`, dialect.UnquoteIdent(t.Name), schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dialect.Column
	for rows.Next() {
		var (
			name, typ             string
			notNull, noDefault    bool
			pk, hidden, pkColumns int
		)
		if err := rows.Scan(&name, &typ, &notNull, &noDefault, &pk, &hidden, &pkColumns); err != nil {
			return nil, err
		}
		if hidden == 1 {
			continue // a virtual table's hidden column
		}
		rowid := pk == 1 && pkColumns == 1 && strings.EqualFold(typ, "integer")
		out = append(out, dialect.Column{Name: name, Required: notNull && noDefault && hidden == 0 && !rowid})
	}
	return out, rows.Err()
}
