package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
)

// Up returns a Func that opens each target and applies its pending
// migrations (up to opts.To), each target under its own lock and with its
// own history.
func Up(opts strata.PlanOptions) Func {
	return func(ctx context.Context, t Target) (Report, error) {
		m, c, err := open(ctx, t)
		if err != nil {
			return Report{}, err
		}
		defer c.Close()
		res, err := m.Up(ctx, opts)
		var rep Report
		if res != nil {
			rep.Applied, rep.Version, rep.Ahead = len(res.Applied), res.Current, res.Ahead
		} else if err != nil && ctx.Err() == nil {
			// Refused before it ran (drift): say where the target is.
			if st, serr := m.StatusWith(ctx, historyOnly()); serr == nil {
				rep.Version = st.Current
			}
		}
		return rep, err
	}
}

// historyOnly is how a fleet reads a target's status: without listing
// the invalid indexes, which no fleet report shows and which, on
// PostgreSQL, cost a scan of every index of the database per target (the
// other tenants' too), so a fleet of schemas paid for them quadratically.
func historyOnly() strata.StatusOptions { return strata.StatusOptions{SkipInvalidIndexes: true} }

// Status returns a Func that opens each target and reads its status,
// changing nothing and taking no lock. It reads the history only
// (strata.StatusOptions.SkipInvalidIndexes): Status.InvalidIndexes is
// empty.
func Status() Func {
	return func(ctx context.Context, t Target) (Report, error) {
		m, c, err := open(ctx, t)
		if err != nil {
			return Report{}, err
		}
		defer c.Close()
		st, err := m.StatusWith(ctx, historyOnly())
		if err != nil {
			return Report{}, err
		}
		return Report{Version: st.Current, Status: st}, nil
	}
}

func open(ctx context.Context, t Target) (*strata.Migrator, io.Closer, error) {
	if t.Open == nil {
		return nil, nil, fmt.Errorf("target %s has no Open function", t.Name)
	}
	return t.Open(ctx)
}

// Schemas lists, on the database db speaks to, the schemas (PostgreSQL)
// or databases (MySQL, MariaDB) whose name matches the LIKE pattern, in
// name order, never the server's own schemas (pg_catalog,
// information_schema, mysql, ...), whatever the pattern.
func Schemas(ctx context.Context, db *sql.DB, d dialect.Dialect, pattern string) ([]string, error) {
	sc, ok := d.(dialect.Schemas)
	if !ok {
		return nil, fmt.Errorf("a schema per tenant needs PostgreSQL (schemas) or MySQL/MariaDB (databases), not %s: list the databases in a targets file instead", d.Name())
	}
	names, err := sc.ListSchemas(ctx, db, pattern)
	if err != nil {
		return nil, fmt.Errorf("list the schemas like %q: %w", pattern, err)
	}
	return names, nil
}

// Query runs q on db and returns its rows' single column, for a query
// that lists a fleet's URLs or names. NULLs and empty strings are
// skipped.
func Query(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if len(cols) != 1 {
		return nil, fmt.Errorf("the query returns %d columns: it must return exactly one", len(cols))
	}
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if strings.TrimSpace(s.String) != "" {
			out = append(out, s.String)
		}
	}
	return out, rows.Err()
}

// SchemaSettings returns the history table and the session SQL that point
// a Migrator at one schema (PostgreSQL) or database (MySQL) of a server:
// the table qualified with the schema, and SET search_path or USE, so the
// files' unqualified names land in the schema. table is the history
// table's bare name.
func SchemaSettings(d dialect.Dialect, schema, table string) (qualified, sessionSQL string, err error) {
	if strings.Contains(table, ".") {
		return "", "", errors.New("with a schema per tenant the history table must be a bare name (the schema is each tenant's)")
	}
	if strings.Contains(schema, ".") {
		return "", "", fmt.Errorf("schema %q has a dot in its name, which strata cannot qualify a history table with: rename it or list it in a targets file", schema)
	}
	sc, ok := d.(dialect.Schemas)
	if !ok {
		return "", "", fmt.Errorf("a schema per tenant needs PostgreSQL or MySQL/MariaDB, not %s", d.Name())
	}
	return schema + "." + table, sc.UseSchema(schema), nil
}
