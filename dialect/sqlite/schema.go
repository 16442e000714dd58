package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/schema"
)

var _ dialect.SchemaReader = Dialect{}

// notInternal leaves out SQLite's own objects (sqlite_sequence,
// sqlite_stat1, the sqlite_autoindex_ indexes of UNIQUE and PRIMARY KEY
// constraints).
const notInternal = `substr(m.name, 1, 7) <> 'sqlite_'`

// ordinary selects the tables the pragmas can read: not internal, not
// virtual (a virtual table's module may not be loaded).
const ordinary = `m.type = 'table' AND ` + notInternal + ` AND m.sql NOT LIKE 'CREATE VIRTUAL%'`

// ReadSchema reads the main database from sqlite_schema and the pragma
// table-valued functions, four queries in all: tables (columns with type,
// NOT NULL, default, collation and generation, primary key, unique
// constraints, foreign keys, checks and table options), indexes (not the
// automatic ones of UNIQUE and PRIMARY KEY constraints, which are the
// table's), views and triggers, whose stored SQL text is compared with its
// layout collapsed. What the pragmas do not say (collations, generation
// expressions, checks, index expressions and predicates) is read from the
// stored CREATE text. skip is called with "" and each table's name.
func (d Dialect) ReadSchema(ctx context.Context, q dialect.Execer, skip func(schemaName, table string) bool) (*schema.Snapshot, error) {
	r := &reader{q: q, tables: map[string]*table{}, skip: func(t string) bool { return skip != nil && skip("", t) }}
	for _, step := range []struct {
		what string
		read func(context.Context) error
	}{
		{"objects", r.readMaster},
		{"columns", r.readColumns},
		{"indexes", r.readIndexes},
		{"foreign keys", r.readForeignKeys},
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

type reader struct {
	q       dialect.Execer
	skip    func(table string) bool
	tables  map[string]*table
	indexes map[string]indexText // CREATE INDEX texts by index name
	objects []schema.Object
}

type table struct {
	name    string
	text    tableText
	virtual string // the CREATE VIRTUAL TABLE text
	columns []schema.Attr
	primary []string // by position in the key
	uniques []schema.Attr
	fks     map[string]string
}

func (t *table) object() schema.Object {
	if t.virtual != "" {
		return schema.Object{Kind: schema.KindTable, Name: t.name, Attrs: []schema.Attr{{Key: "definition", Value: t.virtual}}}
	}
	attrs := append([]schema.Attr{}, t.columns...)
	if len(t.primary) > 0 {
		pk := "(" + strings.Join(t.primary, ", ") + ")"
		if t.text.autoincrement {
			pk += " AUTOINCREMENT"
		}
		attrs = append(attrs, schema.Attr{Key: "primary key", Value: pk})
	}
	sort.Slice(t.uniques, func(i, j int) bool { return t.uniques[i].Key < t.uniques[j].Key })
	attrs = append(attrs, t.uniques...)
	unnamed := 0
	for _, c := range t.text.checks {
		key := "check " + c.name
		if c.name == "" {
			unnamed++
			key = "check #" + strconv.Itoa(unnamed)
		}
		attrs = append(attrs, schema.Attr{Key: key, Value: "CHECK " + c.expr})
	}
	keys := make([]string, 0, len(t.fks))
	for k := range t.fks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attrs = append(attrs, schema.Attr{Key: "foreign key " + k, Value: t.fks[k]})
	}
	if t.text.options != "" {
		attrs = append(attrs, schema.Attr{Key: "options", Value: t.text.options})
	}
	return schema.Object{Kind: schema.KindTable, Name: t.name, Attrs: attrs}
}

func (r *reader) each(ctx context.Context, query string, scan func(*sql.Rows) error) error {
	rows, err := r.q.QueryContext(ctx, query)
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

func quoteIdent(name string) string { return Dialect{}.QuoteIdent(name) }

// readMaster reads sqlite_schema: tables (their CREATE text parsed),
// views and triggers (their text collapsed), and the texts of the
// indexes, which readIndexes completes.
func (r *reader) readMaster(ctx context.Context) error {
	r.indexes = map[string]indexText{}
	return r.each(ctx, `SELECT m.type, m.name, m.tbl_name, COALESCE(m.sql, '') FROM sqlite_master m WHERE `+notInternal,
		func(rows *sql.Rows) error {
			var typ, name, tbl, text string
			if err := rows.Scan(&typ, &name, &tbl, &text); err != nil {
				return err
			}
			if typ != "view" && r.skip(tbl) { // a table, or its index or trigger
				return nil
			}
			switch typ {
			case "table":
				t := &table{name: name, fks: map[string]string{}}
				if strings.HasPrefix(text, "CREATE VIRTUAL") {
					t.virtual = collapse(text)
				} else {
					t.text = parseTable(text)
				}
				r.tables[name] = t
			case "index":
				r.indexes[name] = parseIndex(text)
			case "view":
				r.objects = append(r.objects, schema.Object{Kind: schema.KindView, Name: name,
					Attrs: []schema.Attr{{Key: "definition", Value: collapse(text)}}})
			case "trigger":
				r.objects = append(r.objects, schema.Object{Kind: schema.KindTrigger, Name: name, Attrs: []schema.Attr{
					{Key: "table", Value: tbl}, {Key: "definition", Value: collapse(text)}}})
			}
			return nil
		})
}

// readColumns reads every table's columns with pragma_table_xinfo, in
// column order.
func (r *reader) readColumns(ctx context.Context) error {
	return r.each(ctx, `SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p WHERE `+ordinary+` ORDER BY m.name, p.cid`,
		func(rows *sql.Rows) error {
			var tbl, name, typ string
			var notNull bool
			var def sql.NullString
			var pk, hidden int
			if err := rows.Scan(&tbl, &name, &typ, &notNull, &def, &pk, &hidden); err != nil {
				return err
			}
			t := r.tables[tbl]
			if t == nil {
				return nil
			}
			v := typ
			if c, ok := t.text.collation[strings.ToLower(name)]; ok {
				v += " COLLATE " + c
			}
			if g, ok := t.text.generated[strings.ToLower(name)]; ok {
				v += " " + g
			}
			if notNull {
				v += " NOT NULL"
			}
			if def.Valid {
				v += " DEFAULT " + def.String
			}
			t.columns = append(t.columns, schema.Attr{Key: "column " + name, Value: strings.TrimSpace(v)})
			if pk > 0 {
				for len(t.primary) < pk {
					t.primary = append(t.primary, "")
				}
				t.primary[pk-1] = quoteIdent(name)
			}
			return nil
		})
}

// readIndexes reads each table's indexes with pragma_index_list and
// pragma_index_xinfo: the automatic indexes of UNIQUE constraints become
// the table's "unique" attributes, those of PRIMARY KEY are left out (the
// key is read from the columns), and every other index is an object.
func (r *reader) readIndexes(ctx context.Context) error {
	type index struct {
		obj         schema.Object
		table       string
		parts, cols []string // key parts; their plain column names
	}
	var order []*index
	byName := map[string]*index{}
	err := r.each(ctx, `SELECT m.name, il.name, il."unique", il.origin, ii.cid, COALESCE(ii.name, ''), ii."desc", COALESCE(ii.coll, '')
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii
WHERE `+ordinary+` AND il.origin <> 'pk' AND ii."key" = 1 ORDER BY m.name, il.name, ii.seqno`,
		func(rows *sql.Rows) error {
			var tbl, name, origin, col, coll string
			var unique, desc bool
			var cid int
			if err := rows.Scan(&tbl, &name, &unique, &origin, &cid, &col, &desc, &coll); err != nil {
				return err
			}
			if r.tables[tbl] == nil {
				return nil
			}
			ix := byName[name]
			if ix == nil {
				u := "no"
				if unique {
					u = "yes"
				}
				ix = &index{table: tbl, obj: schema.Object{Kind: schema.KindIndex, Name: name,
					Attrs: []schema.Attr{{Key: "table", Value: tbl}, {Key: "unique", Value: u}}}}
				if origin == "u" {
					ix.obj.Kind = "" // a UNIQUE constraint: the table's
				}
				byName[name] = ix
				order = append(order, ix)
			}
			part := quoteIdent(col)
			if cid == -2 { // an expression: its text as written
				if p := r.indexes[name].parts; len(ix.parts) < len(p) {
					part = p[len(ix.parts)]
				}
			} else {
				if !strings.EqualFold(coll, "BINARY") && coll != "" {
					part += " COLLATE " + coll
				}
				if desc {
					part += " DESC"
				}
			}
			ix.parts = append(ix.parts, part)
			ix.cols = append(ix.cols, quoteIdent(col))
			return nil
		})
	if err != nil {
		return err
	}
	for _, ix := range order {
		cols := "(" + strings.Join(ix.parts, ", ") + ")"
		if ix.obj.Kind == "" {
			// Known by its columns, so a column's new collation
			// changes the constraint rather than replacing it.
			t := r.tables[ix.table]
			t.uniques = append(t.uniques, schema.Attr{Key: "unique (" + strings.Join(ix.cols, ", ") + ")", Value: "UNIQUE " + cols})
			continue
		}
		ix.obj.Attrs = append(ix.obj.Attrs, schema.Attr{Key: "columns", Value: cols})
		if w := r.indexes[ix.obj.Name].where; w != "" {
			ix.obj.Attrs = append(ix.obj.Attrs, schema.Attr{Key: "where", Value: w})
		}
		r.objects = append(r.objects, ix.obj)
	}
	return nil
}

// readForeignKeys reads pragma_foreign_key_list. SQLite keeps no name for
// a foreign key, so it is known by its columns.
func (r *reader) readForeignKeys(ctx context.Context) error {
	type fk struct {
		table, ref, update, delete string
		from, to                   []string
	}
	var order []*fk
	byID := map[string]*fk{}
	err := r.each(ctx, `SELECT m.name, f.id, f."table", f."from", COALESCE(f."to", ''), f.on_update, f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE `+ordinary+` ORDER BY m.name, f.id, f.seq`,
		func(rows *sql.Rows) error {
			var f fk
			var id int
			var from, to string
			if err := rows.Scan(&f.table, &id, &f.ref, &from, &to, &f.update, &f.delete); err != nil {
				return err
			}
			key := f.table + "\x00" + strconv.Itoa(id)
			g := byID[key]
			if g == nil {
				g = &f
				byID[key] = g
				order = append(order, g)
			}
			g.from = append(g.from, quoteIdent(from))
			if to != "" {
				g.to = append(g.to, quoteIdent(to))
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, f := range order {
		t := r.tables[f.table]
		if t == nil {
			continue
		}
		ref := quoteIdent(f.ref)
		if len(f.to) > 0 {
			ref += " (" + strings.Join(f.to, ", ") + ")"
		}
		t.fks["("+strings.Join(f.from, ", ")+")"] = fmt.Sprintf("REFERENCES %s ON UPDATE %s ON DELETE %s", ref, f.update, f.delete)
	}
	return nil
}
