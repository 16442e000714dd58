package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/schema"
)

var _ dialect.SchemaReader = Dialect{}

// ReadSchema reads every schema except pg_catalog, information_schema,
// pg_toast* and pg_temp* from pg_catalog: schemas, extensions (the objects
// an extension creates are left out), enum, composite and range types,
// domains, sequences, tables, indexes, views, materialized views,
// functions, procedures and triggers. Owners, grants, statistics, row
// counts, sequence positions and OIDs are not read, so none of them shows
// as drift. Not read either: aggregates, operators, casts, collations, text
// search objects, foreign tables, rules, event triggers, publications and
// per-column storage settings.
//
// It reads in one read-only, repeatable-read transaction (so the queries
// see one consistent catalog) with search_path empty (pg_catalog only)
// for that transaction alone, so every definition comes out
// schema-qualified whatever the session's search_path. When q is a *sql.Tx, or a *sql.Conn
// already inside a transaction, it reads in that transaction and sets the
// search_path back before it returns.
//
// skip is called with the raw (unquoted) schema and name of every table;
// a table it reports true for is left out with its constraints, indexes,
// triggers and the sequences owned by its columns. skip may be nil.
func (d Dialect) ReadSchema(ctx context.Context, q dialect.Execer, skip func(schemaName, table string) bool) (*schema.Snapshot, error) {
	return d.ReadSchemaOf(ctx, q, "", skip)
}

// ReadSchemaOf is ReadSchema of one schema, schemaName, or of every
// non-system schema when it is "" (dialect.ScopedSchemaReader). The
// catalogs are filtered by the schema's name on the server, so a tenant's
// snapshot holds its own schema only, whatever else the database holds.
func (Dialect) ReadSchemaOf(ctx context.Context, q dialect.Execer, schemaName string, skip func(schemaName, table string) bool) (*schema.Snapshot, error) {
	if skip == nil {
		skip = func(string, string) bool { return false }
	}
	var beginner interface {
		BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
	}
	switch x := q.(type) {
	case *sql.DB:
		beginner = x
	case *sql.Conn:
		if !connInTransaction(x) {
			beginner = x
		}
	}
	if beginner == nil {
		return readInTransaction(ctx, q, schemaName, skip)
	}
	tx, err := beginner.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read schema: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	if _, err := tx.ExecContext(ctx, "SET LOCAL search_path TO ''"); err != nil {
		return nil, fmt.Errorf("read schema: set search_path: %w", err)
	}
	return readCatalog(ctx, tx, schemaName, skip)
}

// readInTransaction reads in the caller's transaction: it sets the
// search_path for the rest of that transaction and restores the old value
// afterwards.
func readInTransaction(ctx context.Context, q dialect.Execer, schemaName string, skip func(string, string) bool) (snap *schema.Snapshot, err error) {
	var old string
	if err := q.QueryRowContext(ctx, "SELECT pg_catalog.current_setting('search_path')").Scan(&old); err != nil {
		return nil, fmt.Errorf("read schema: search_path: %w", err)
	}
	if _, err := q.ExecContext(ctx, "SELECT pg_catalog.set_config('search_path', '', true)"); err != nil {
		return nil, fmt.Errorf("read schema: set search_path: %w", err)
	}
	defer func() {
		if _, rerr := q.ExecContext(context.WithoutCancel(ctx), "SELECT pg_catalog.set_config('search_path', $1, true)", old); rerr != nil && err == nil {
			err = fmt.Errorf("read schema: restore search_path: %w", rerr)
		}
	}()
	return readCatalog(ctx, q, schemaName, skip)
}

// connInTransaction reports whether a pgx connection is inside a
// transaction block (a BEGIN sent as a statement), where BeginTx would
// nest and its rollback would end the caller's transaction.
func connInTransaction(c *sql.Conn) bool {
	in := false
	_ = c.Raw(func(dc any) error {
		if p, ok := dc.(interface{ Conn() *pgx.Conn }); ok {
			in = p.Conn().PgConn().TxStatus() != 'I'
		}
		return nil
	})
	return in
}

// readCatalog runs one query per object kind that exists: a first query
// (queryPresentKinds) says which do, so a database of tables and indexes
// is read with five queries rather than eleven. Each query left out costs a cold
// connection (a run's pinned one) tens of milliseconds of planning over
// catalogs it has not touched yet.
func readCatalog(ctx context.Context, q dialect.Execer, schemaName string, skip func(string, string) bool) (*schema.Snapshot, error) {
	var (
		version            int
		relkinds, typtypes string
		routines, triggers bool
	)
	x := expander()
	c := collector{skip: skip, index: map[objectID]int{}, schema: schemaName}
	present, args := c.scoped(x.Replace(queryPresentKinds))
	if err := q.QueryRowContext(ctx, present, args...).Scan(&version, &relkinds, &typtypes, &routines, &triggers); err != nil {
		return nil, fmt.Errorf("read schema: which objects exist: %w", err)
	}
	// A SQL-standard body (BEGIN ATOMIC, RETURN ...; PostgreSQL 14+) is
	// stored parsed, not in prosrc.
	body := "p.prosrc"
	if version >= 140000 {
		body = "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END"
	}
	has := func(set, any string) bool { return strings.ContainsAny(set, any) }
	for _, k := range []struct {
		what, query string
		present     bool
	}{
		{"schemas", querySchemas, true},
		{"extensions", queryExtensions, true},
		{"types", queryTypes, has(typtypes, "er") || has(relkinds, "c")},
		{"domains", queryDomains, has(typtypes, "d")},
		{"sequences", querySequences, has(relkinds, "S")},
		{"tables", queryTables, has(relkinds, "rp")},
		{"views", queryViews, has(relkinds, "vm")},
		{"routines", strings.Replace(queryRoutines, "{body}", body, 1), routines},
		{"triggers", queryTriggers, triggers},
	} {
		if !k.present {
			continue
		}
		if err := c.attrRows(ctx, q, attrQuery(x.Replace(k.query))); err != nil {
			return nil, fmt.Errorf("read schema: %s: %w", k.what, err)
		}
	}
	if has(relkinds, "iI") {
		if err := c.indexes(ctx, q, x.Replace(queryIndexes)); err != nil {
			return nil, fmt.Errorf("read schema: indexes: %w", err)
		}
	}
	return &schema.Snapshot{Dialect: "postgres", Objects: c.result()}, nil
}

type objectID struct {
	kind schema.Kind
	name string
}

// collector groups attribute rows into objects. The queries do not sort:
// ordering tens of thousands of rows on the server spills to disk with
// the default work_mem and cost more than every other part of a read, so
// the attributes are sorted here, by (ord, sub) within their object.
type collector struct {
	schema  string // the one schema read, or "" for every user schema
	skip    func(string, string) bool
	objects []schema.Object
	attrs   [][]sortedAttr // attrs[i] belongs to objects[i]
	index   map[objectID]int
}

// scoped narrows a catalog query to c.schema when one is set: its filter
// on user schemas becomes one on that schema's name, the query's $1.
func (c *collector) scoped(query string) (string, []any) {
	if c.schema == "" || !strings.Contains(query, userSchema("n")) {
		return query, nil
	}
	return strings.ReplaceAll(query, userSchema("n"), oneSchema("n")), []any{c.schema}
}

type sortedAttr struct {
	ord  int
	sub  string
	attr schema.Attr
}

// object returns the index of the object kind/name, adding it on first
// sight.
func (c *collector) object(kind schema.Kind, name string) int {
	id := objectID{kind, name}
	i, ok := c.index[id]
	if !ok {
		i = len(c.objects)
		c.index[id] = i
		c.objects = append(c.objects, schema.Object{Kind: kind, Name: name})
		c.attrs = append(c.attrs, nil)
	}
	return i
}

// result returns the objects sorted by kind and name, each with its
// attributes in order.
func (c *collector) result() []schema.Object {
	for i, attrs := range c.attrs {
		slices.SortStableFunc(attrs, func(a, b sortedAttr) int {
			return cmp.Or(cmp.Compare(a.ord, b.ord), strings.Compare(a.sub, b.sub))
		})
		c.objects[i].Attrs = make([]schema.Attr, len(attrs))
		for j, a := range attrs {
			c.objects[i].Attrs[j] = a.attr
		}
	}
	slices.SortFunc(c.objects, func(a, b schema.Object) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	return c.objects
}

// attrRows reads a query of attribute rows (see schema_sql.go).
func (c *collector) attrRows(ctx context.Context, q dialect.Execer, query string) error {
	query, args := c.scoped(query)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind, name, sub, key string
			pschema, ptable      sql.NullString
			ord                  int
			value                sql.NullString
		)
		if err := rows.Scan(&kind, &name, &pschema, &ptable, &ord, &sub, &key, &value); err != nil {
			return err
		}
		if ptable.Valid && c.skip(pschema.String, ptable.String) {
			continue
		}
		i := c.object(schema.Kind(kind), name)
		if value.Valid {
			c.attrs[i] = append(c.attrs[i], sortedAttr{ord, sub, schema.Attr{Key: key, Value: value.String}})
		}
	}
	return rows.Err()
}

// indexes reads the indexes and splits pg_get_indexdef into its parts:
// method, unique, columns (with INCLUDE, NULLS NOT DISTINCT and storage
// options as printed) and predicate, so a change names the part that
// changed.
func (c *collector) indexes(ctx context.Context, q dialect.Execer, query string) error {
	query, args := c.scoped(query)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name, tschema, tname, table, def, prefix, pred, method string
			unique, valid                                          bool
			comment                                                sql.NullString
		)
		if err := rows.Scan(&name, &tschema, &tname, &table, &def, &prefix, &pred, &method, &unique, &valid, &comment); err != nil {
			return err
		}
		if c.skip(tschema, tname) {
			continue
		}
		attrs := indexAttrs(table, def, prefix, pred, method, unique, valid)
		if comment.Valid {
			attrs = append(attrs, schema.Attr{Key: "comment", Value: comment.String})
		}
		i := c.object(schema.KindIndex, name)
		for ord, a := range attrs {
			c.attrs[i] = append(c.attrs[i], sortedAttr{ord: ord, attr: a})
		}
	}
	return rows.Err()
}

// indexAttrs splits an index definition. When the text does not have the
// expected shape, columns holds the whole definition rather than a guess.
func indexAttrs(table, def, prefix, pred, method string, unique, valid bool) []schema.Attr {
	cols, ok := strings.CutPrefix(def, prefix)
	if !ok {
		cols = def
	}
	if pred != "" {
		if c, ok := strings.CutSuffix(cols, " WHERE "+pred); ok {
			cols = c
		} else {
			pred = ""
		}
	}
	attrs := []schema.Attr{
		{Key: "table", Value: table},
		{Key: "method", Value: method},
		{Key: "unique", Value: fmt.Sprint(unique)},
		{Key: "columns", Value: cols},
	}
	if pred != "" {
		attrs = append(attrs, schema.Attr{Key: "predicate", Value: pred})
	}
	if !valid {
		// A CREATE INDEX CONCURRENTLY that failed leaves an index the
		// planner does not use.
		attrs = append(attrs, schema.Attr{Key: "invalid", Value: "true"})
	}
	return attrs
}
