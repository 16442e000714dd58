package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/schema"
)

var _ dialect.SchemaReader = Dialect{}

// ReadSchema reads the connection's current database (DATABASE()) from
// information_schema into a snapshot: tables (engine, collation, options,
// columns, primary key, checks, foreign keys), indexes, views, routines,
// triggers, events and MariaDB sequences. It runs one query per kind of
// object, not one per table, so a schema of a thousand tables costs a
// handful of round trips.
//
// Nothing in the snapshot names the database, so two databases built from
// the same files compare equal: a view's definition, which the server
// rewrites with every name qualified, has the current database's qualifier
// removed, and foreign keys to tables in the same database are printed
// unqualified. Counters, row counts, statistics, times and definers are
// left out. skip is called with the database's name and each table's name.
func (d Dialect) ReadSchema(ctx context.Context, q dialect.Execer, skip func(schemaName, table string) bool) (*schema.Snapshot, error) {
	var db sql.NullString
	var version string
	if err := q.QueryRowContext(ctx, "SELECT DATABASE(), VERSION()").Scan(&db, &version); err != nil {
		return nil, fmt.Errorf("read the current database: %w", err)
	}
	if !db.Valid {
		return nil, ErrNoDatabase
	}
	r := &reader{
		q: q, db: db.String, maria: strings.Contains(version, "MariaDB"),
		tables: map[string]*table{},
		skip: func(t string) bool {
			return skip != nil && skip(db.String, t)
		},
	}
	for _, step := range []struct {
		what string
		read func(context.Context) error
	}{
		{"tables", r.readTables},
		{"columns", r.readColumns},
		{"check constraints", r.readChecks},
		{"foreign keys", r.readForeignKeys},
		{"indexes", r.readIndexes},
		{"views", r.readViews},
		{"routines", r.readRoutines},
		{"triggers", r.readTriggers},
		{"events", r.readEvents},
		{"sequences", r.readSequences},
	} {
		if err := step.read(ctx); err != nil {
			return nil, fmt.Errorf("read the schema's %s: %w", step.what, err)
		}
	}
	for _, t := range r.tables {
		r.objects = append(r.objects, t.object())
	}
	return &schema.Snapshot{Dialect: d.Name(), Objects: r.objects}, nil
}

// ErrNoDatabase is returned by ReadSchema when the connection has no
// current database to read.
var ErrNoDatabase = errNoDatabase{}

type errNoDatabase struct{}

func (errNoDatabase) Error() string {
	return "the connection has no current database; name one in the connection URL"
}

// reader holds one ReadSchema call's state.
type reader struct {
	q      dialect.Execer
	db     string
	maria  bool
	skip   func(table string) bool
	tables map[string]*table
	// sequences are MariaDB's, read one by one (there is no catalog
	// of their settings before MariaDB 11.5).
	sequences []string
	objects   []schema.Object
}

// table collects one table's attributes as the queries come in.
type table struct {
	name      string
	head      []schema.Attr // engine, collation, options, comment
	collation string
	columns   []schema.Attr
	primary   string
	checks    map[string]string
	fks       map[string]string
}

func (t *table) object() schema.Object {
	attrs := append([]schema.Attr{}, t.head...)
	attrs = append(attrs, t.columns...)
	if t.primary != "" {
		attrs = append(attrs, schema.Attr{Key: "primary key", Value: t.primary})
	}
	attrs = append(attrs, sortedAttrs("check ", t.checks)...)
	attrs = append(attrs, sortedAttrs("foreign key ", t.fks)...)
	return schema.Object{Kind: schema.KindTable, Name: t.name, Attrs: attrs}
}

func sortedAttrs(prefix string, m map[string]string) []schema.Attr {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]schema.Attr, 0, len(keys))
	for _, k := range keys {
		out = append(out, schema.Attr{Key: prefix + k, Value: m[k]})
	}
	return out
}

// each runs query with the database's name as every argument (each ?)
// and calls scan for every row.
func (r *reader) each(ctx context.Context, query string, scan func(*sql.Rows) error) error {
	args := make([]any, strings.Count(query, "?"))
	for i := range args {
		args[i] = r.db
	}
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// attr appends key: value to attrs when value is not empty.
func attr(attrs []schema.Attr, key, value string) []schema.Attr {
	if value == "" {
		return attrs
	}
	return append(attrs, schema.Attr{Key: key, Value: value})
}

func (r *reader) readTables(ctx context.Context) error {
	return r.each(ctx, `SELECT TABLE_NAME, TABLE_TYPE, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, ''),
	COALESCE(CREATE_OPTIONS, ''), COALESCE(TABLE_COMMENT, '')
FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'VIEW'`, func(rows *sql.Rows) error {
		var name, typ, engine, coll, options, comment string
		if err := rows.Scan(&name, &typ, &engine, &coll, &options, &comment); err != nil {
			return err
		}
		if r.skip(name) {
			return nil
		}
		if typ == "SEQUENCE" {
			r.sequences = append(r.sequences, name)
			return nil
		}
		t := &table{name: name, collation: coll, checks: map[string]string{}, fks: map[string]string{}}
		t.head = attr(t.head, "engine", engine)
		t.head = attr(t.head, "collation", coll)
		t.head = attr(t.head, "options", tableOptions(options))
		if typ == "SYSTEM VERSIONED" {
			t.head = attr(t.head, "system versioned", "yes")
		}
		t.head = attr(t.head, "comment", comment)
		r.tables[name] = t
		return nil
	})
}

// tableOptions keeps the CREATE_OPTIONS that describe the table, in the
// server's order, without the partitioning flag (MySQL 8 prints
// "partitioned"; the layout is not read here).
func tableOptions(s string) string {
	var keep []string
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, "partitioned") {
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, " ")
}

func (r *reader) readColumns(ctx context.Context) error {
	return r.each(ctx, `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
	COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''), COALESCE(GENERATION_EXPRESSION, ''), COLUMN_COMMENT
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, func(rows *sql.Rows) error {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.typ, &c.nullable, &c.def, &c.extra, &c.charset, &c.collation, &c.generated, &c.comment); err != nil {
			return err
		}
		t := r.tables[c.table]
		if t == nil { // a view's column, a sequence's or a skipped table's
			return nil
		}
		t.columns = append(t.columns, schema.Attr{Key: "column " + c.name, Value: c.text(r.maria, t.collation)})
		return nil
	})
}

// column is one row of information_schema.COLUMNS.
type column struct {
	table, name, typ, nullable                    string
	def                                           sql.NullString
	extra, charset, collation, generated, comment string
}

// text is the column's definition in one line, as close to the CREATE
// TABLE syntax as the catalog allows.
func (c column) text(maria bool, tableCollation string) string {
	var b strings.Builder
	b.WriteString(c.typ)
	extra := c.extra
	// MySQL 8 flags expression defaults; the expression is the default.
	extra = strings.TrimSpace(strings.ReplaceAll(extra, "DEFAULT_GENERATED", ""))
	generated := strings.Contains(strings.ToUpper(extra), "GENERATED")
	if c.collation != "" && c.collation != tableCollation {
		fmt.Fprintf(&b, " CHARACTER SET %s COLLATE %s", c.charset, c.collation)
	}
	if generated {
		kind := "VIRTUAL"
		if strings.Contains(strings.ToUpper(extra), "STORED") {
			kind = "STORED"
		}
		fmt.Fprintf(&b, " GENERATED ALWAYS AS (%s) %s", c.generated, kind)
		extra = strings.TrimSpace(strings.NewReplacer("VIRTUAL GENERATED", "", "STORED GENERATED", "").Replace(extra))
	}
	if c.nullable == "NO" {
		b.WriteString(" NOT NULL")
	}
	if d, ok := normalDefault(c.def, maria, c.extra); ok && !generated {
		b.WriteString(" DEFAULT " + d)
	}
	if extra != "" {
		b.WriteString(" " + extra)
	}
	if c.comment != "" {
		b.WriteString(" COMMENT " + quoteString(c.comment))
	}
	return b.String()
}

// normalDefault returns a column default in one form for both servers:
// a string literal quoted, an expression or number as it is, and no
// default for NULL. MariaDB 10.2+ already reports literals quoted and a
// NULL default as the word NULL; MySQL reports literals bare and marks
// expressions DEFAULT_GENERATED in EXTRA.
func normalDefault(def sql.NullString, maria bool, extra string) (string, bool) {
	if !def.Valid {
		return "", false
	}
	if maria {
		if def.String == "NULL" {
			return "", false
		}
		return def.String, true
	}
	if strings.Contains(extra, "DEFAULT_GENERATED") {
		return def.String, true
	}
	return quoteString(def.String), true
}

// quoteString quotes s as an SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

func (r *reader) readChecks(ctx context.Context) error {
	query := `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`
	if !r.maria {
		// MySQL's CHECK_CONSTRAINTS has no table; the name is unique
		// in the database.
		query = `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA
	AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = ?`
	}
	return r.each(ctx, query, func(rows *sql.Rows) error {
		var tbl, name, clause string
		if err := rows.Scan(&tbl, &name, &clause); err != nil {
			return err
		}
		if t := r.tables[tbl]; t != nil {
			t.checks[name] = "CHECK (" + clause + ")"
		}
		return nil
	})
}

// readForeignKeys reads the rules of the foreign keys, then, when there
// are any, their columns: two plain queries cost the server less than
// their join, and a schema without foreign keys costs one.
func (r *reader) readForeignKeys(ctx context.Context) error {
	type fk struct {
		refSchema, refTable, rules string
		cols, refCols              []string
	}
	fks := map[[2]string]*fk{}
	err := r.each(ctx, `SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, func(rows *sql.Rows) error {
		var tbl, name, update, del string
		if err := rows.Scan(&tbl, &name, &update, &del); err != nil {
			return err
		}
		if r.tables[tbl] != nil {
			fks[[2]string{tbl, name}] = &fk{rules: "ON UPDATE " + update + " ON DELETE " + del}
		}
		return nil
	})
	if err != nil || len(fks) == 0 {
		return err
	}
	err = r.each(ctx, `SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`, func(rows *sql.Rows) error {
		var tbl, name, col, refSchema, refTable, refCol string
		if err := rows.Scan(&tbl, &name, &col, &refSchema, &refTable, &refCol); err != nil {
			return err
		}
		f := fks[[2]string{tbl, name}]
		if f == nil {
			return nil
		}
		f.refSchema, f.refTable = refSchema, refTable
		f.cols = append(f.cols, quoteIdent(col))
		f.refCols = append(f.refCols, quoteIdent(refCol))
		return nil
	})
	if err != nil {
		return err
	}
	for key, f := range fks {
		ref := quoteIdent(f.refTable)
		if f.refSchema != r.db {
			ref = quoteIdent(f.refSchema) + "." + ref
		}
		r.tables[key[0]].fks[key[1]] = fmt.Sprintf("(%s) REFERENCES %s (%s) %s",
			strings.Join(f.cols, ", "), ref, strings.Join(f.refCols, ", "), f.rules)
	}
	return nil
}

// quoteIdent quotes a name with backticks.
func quoteIdent(name string) string { return Dialect{}.QuoteIdent(name) }
