package postgres

import "strings"

// The catalog queries ReadSchema runs, one per object kind, each over the
// whole database rather than per table. They run with search_path set to
// '' (pg_catalog only), so format_type, pg_get_expr, pg_get_viewdef and
// friends print every name schema-qualified, and so no user object can
// shadow a catalog function.
//
// Except for indexes, every query returns attribute rows:
//
//	kind, name, parent schema, parent table, ord, sub, key, value
//
// one row per attribute of an object, in no order: the reader orders the
// attributes of an object by (ord, sub). Parent schema and table name the
// table the object belongs to (raw, unquoted, for the caller's skip
// function) or are NULL. A NULL value means the attribute is absent and
// the row is dropped (see attrQuery), except a marker row with an empty
// key for objects whose attributes may all be absent (a schema without a
// comment, a table without columns). Objects unpivot their attributes
// with LATERAL VALUES so a catalog is scanned once per kind, not once per
// attribute.

// userSchema is the filter on a pg_namespace alias that keeps the schemas
// migrations create: not pg_catalog, information_schema, pg_toast*,
// pg_temp* (PostgreSQL reserves the pg_ prefix for itself).
func userSchema(n string) string {
	return "(" + n + ".nspname <> 'information_schema' AND " + n + ".nspname !~ '^pg_')"
}

// oneSchema is userSchema narrowed to the schema named by the query's
// first parameter.
func oneSchema(n string) string {
	return "(" + n + ".nspname = $1)"
}

// notExtension is the filter that leaves out an object an extension
// created (pg_depend deptype 'e'): the extension itself is listed instead.
func notExtension(catalog, oid string) string {
	return "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" + catalog +
		"'::regclass AND e.objid = " + oid + " AND e.deptype = 'e')"
}

// qname is a schema-qualified, quoted name.
func qname(n, rel string) string {
	return "quote_ident(" + n + ".nspname) || '.' || quote_ident(" + rel + ")"
}

// comment is the description of an object, with objsubid 0.
func comment(catalog, oid string) string {
	return "(SELECT d.description FROM pg_description d WHERE d.classoid = '" + catalog +
		"'::regclass AND d.objoid = " + oid + " AND d.objsubid = 0)"
}

// collate prints " COLLATE schema.name" when coll differs from typcoll,
// the type's own collation.
func collate(coll, typcoll string) string {
	return "CASE WHEN " + coll + " <> 0 AND " + coll + " <> " + typcoll +
		" THEN (SELECT ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)" +
		" FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = " + coll + ") ELSE '' END"
}

// seqOptions prints a sequence's options from a pg_sequence alias.
func seqOptions(s string) string {
	return "'START ' || " + s + ".seqstart || ' INCREMENT ' || " + s + ".seqincrement || ' MINVALUE ' || " +
		s + ".seqmin || ' MAXVALUE ' || " + s + ".seqmax || ' CACHE ' || " + s + ".seqcache || " +
		"CASE WHEN " + s + ".seqcycle THEN ' CYCLE' ELSE '' END"
}

// expander replaces the {placeholders} of the query templates below. The
// queries are expanded when a schema is read, not at start-up: building
// them cost every strata command a few milliseconds of package
// initialisation.
func expander() *strings.Replacer {
	return strings.NewReplacer(
		"{nsp n}", userSchema("n"),
		"{notext pg_class c}", notExtension("pg_class", "c.oid"),
		"{notext pg_type t}", notExtension("pg_type", "t.oid"),
		"{notext pg_proc p}", notExtension("pg_proc", "p.oid"),
		"{notext pg_namespace n}", notExtension("pg_namespace", "n.oid"),
		"{qname c}", qname("n", "c.relname"),
		"{qname t}", qname("n", "t.typname"),
		"{qname p}", qname("n", "p.proname"),
		"{qname ic}", qname("n", "ic.relname"),
		"{comment pg_class c}", comment("pg_class", "c.oid"),
		"{comment pg_type t}", comment("pg_type", "t.oid"),
		"{comment pg_proc p}", comment("pg_proc", "p.oid"),
		"{comment pg_namespace n}", comment("pg_namespace", "n.oid"),
		"{comment pg_class ic}", comment("pg_class", "ic.oid"),
		"{comment pg_trigger tg}", comment("pg_trigger", "tg.oid"),
		"{collate a}", collate("a.attcollation", "at.typcollation"),
		"{seqopts s}", seqOptions("s"),
	)
}

// attrQuery names the columns of a query of attribute rows and drops the
// absent attributes, except the marker rows (an empty key) that make an object
// exist whatever its attributes. The rows come unordered: the collector
// sorts them.
func attrQuery(q string) string {
	return "SELECT * FROM (" + q + ") rows(kind, name, pschema, ptable, ord, sub, key, value) WHERE value IS NOT NULL OR key = ''"
}

// queryPresentKinds reads the server version and which kinds of object
// the user schemas hold, with filters looser than the queries' own (an
// extension's objects and internal triggers count), so a kind it reports
// absent has nothing to read: the relkinds of pg_class ('c' composite
// types, 'S' sequences, 'r'/'p' tables, 'v'/'m' views, 'i'/'I' indexes,
// which live in their table's schema), the typtypes of enums, ranges and
// domains, and whether any function or procedure, and any trigger not
// made for a constraint, exists.
const queryPresentKinds = `SELECT pg_catalog.current_setting('server_version_num')::int,
	COALESCE((SELECT string_agg(DISTINCT c.relkind::text, '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {nsp n}), ''),
	COALESCE((SELECT string_agg(DISTINCT t.typtype::text, '') FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE t.typtype IN ('e', 'r', 'd') AND {nsp n}), ''),
	EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {nsp n}),
	EXISTS (SELECT 1 FROM pg_trigger tg WHERE NOT tg.tgisinternal)`

const querySchemas = `SELECT 'schema', quote_ident(n.nspname), NULL, NULL, v.ord, '', v.key, v.value
FROM pg_namespace n CROSS JOIN LATERAL (VALUES
	(0, '', NULL),
	(1, 'comment', {comment pg_namespace n})
) v(ord, key, value)
WHERE {nsp n} AND {notext pg_namespace n}`

// queryExtensions lists extensions by name and schema, not version: CREATE
// EXTENSION without VERSION installs whatever default the server's package
// ships, so a scratch database and production on the same major version
// can differ by an OS package update no migration made, and ALTER
// EXTENSION ... UPDATE is operations rather than schema. The extension's
// own objects are left out of every other query.
const queryExtensions = `SELECT 'extension', quote_ident(e.extname), NULL, NULL, 1, '', 'schema', quote_ident(n.nspname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`

// queryTypes reads enum, composite and range types; the row types of
// tables, views and sequences and the array types are not listed.
const queryTypes = `SELECT * FROM (
SELECT 'type', {qname t}, NULL, NULL, v.ord, '', v.key, v.value
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_range r ON r.rngtypid = t.oid
CROSS JOIN LATERAL (VALUES
	(1, 'enum', CASE WHEN t.typtype = 'e' THEN (SELECT string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder) FROM pg_enum l WHERE l.enumtypid = t.oid) END),
	(0, 'composite', CASE WHEN t.typtype = 'c' THEN 'true' END),
	(3, 'range subtype', CASE WHEN t.typtype = 'r' THEN format_type(r.rngsubtype, NULL) ||
		CASE WHEN r.rngcollation <> 0 THEN (SELECT ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = r.rngcollation) ELSE '' END END),
	(4, 'range subtype diff', CASE WHEN t.typtype = 'r' AND r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END),
	(5, 'range canonical', CASE WHEN t.typtype = 'r' AND r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END),
	(100000, 'comment', {comment pg_type t})
) v(ord, key, value)
WHERE {nsp n} AND {notext pg_type t}
  AND (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
UNION ALL
SELECT 'type', {qname t}, NULL, NULL, a.attnum, '', 'attribute ' || quote_ident(a.attname),
	format_type(a.atttypid, a.atttypmod) || {collate a}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type at ON at.oid = a.atttypid
WHERE t.typtype = 'c' AND {nsp n} AND {notext pg_type t}
) x`

const queryDomains = `SELECT * FROM (
SELECT 'domain', {qname t}, NULL, NULL, v.ord, '', v.key, v.value
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype
CROSS JOIN LATERAL (VALUES
	(1, 'type', format_type(t.typbasetype, t.typtypmod) ||
		CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation THEN (SELECT ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) ELSE '' END),
	(2, 'not null', CASE WHEN t.typnotnull THEN 'true' END),
	(3, 'default', pg_get_expr(t.typdefaultbin, 0)),
	(100000, 'comment', {comment pg_type t})
) v(ord, key, value)
WHERE t.typtype = 'd' AND {nsp n} AND {notext pg_type t}
UNION ALL
SELECT 'domain', {qname t}, NULL, NULL, 10, con.conname, 'check ' || quote_ident(con.conname), pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND {nsp n} AND {notext pg_type t}
) x`

// querySequences reads the sequences that are not an identity column's
// (those are part of the column). A sequence OWNED BY a column names that
// column's table as its parent, so skipping the table skips it too.
// last_value and is_called are not read: they are data.
const querySequences = `SELECT 'sequence', {qname c}, own.nspname, own.relname, v.ord, '', v.key, v.value
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
	SELECT on_.nspname, oc.relname, quote_ident(on_.nspname) || '.' || quote_ident(oc.relname) || '.' || quote_ident(oa.attname) AS col
	FROM pg_depend d JOIN pg_class oc ON oc.oid = d.refobjid JOIN pg_namespace on_ ON on_.oid = oc.relnamespace
	JOIN pg_attribute oa ON oa.attrelid = oc.oid AND oa.attnum = d.refobjsubid
	WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
	  AND d.deptype = 'a' AND d.refobjsubid > 0
	LIMIT 1
) own ON true
CROSS JOIN LATERAL (VALUES
	(1, 'type', format_type(s.seqtypid, NULL)),
	(2, 'start', s.seqstart::text),
	(3, 'increment', s.seqincrement::text),
	(4, 'minvalue', s.seqmin::text),
	(5, 'maxvalue', s.seqmax::text),
	(6, 'cache', s.seqcache::text),
	(7, 'cycle', CASE WHEN s.seqcycle THEN 'true' ELSE 'false' END),
	(8, 'owned by', own.col),
	(100000, 'comment', {comment pg_class c})
) v(ord, key, value)
WHERE c.relkind = 'S' AND {nsp n} AND {notext pg_class c}
  AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass AND i.objid = c.oid AND i.deptype = 'i')`

// queryTables reads ordinary and partitioned tables: columns in attnum
// order (ord = attnum), then constraints sorted by name (ord 10000), then
// policies (ord 20000), then the table's own attributes (ord 30000+).
const queryTables = `WITH tbl AS MATERIALIZED (
	SELECT c.oid, n.nspname, c.relname, {qname c} AS name, c.relkind, c.relispartition, c.relpartbound,
		c.relpersistence, c.reloptions, c.relrowsecurity, c.relforcerowsecurity
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND {nsp n} AND {notext pg_class c}
)
SELECT * FROM (
SELECT 'table', t.name, t.nspname, t.relname, a.attnum, v.sub, v.key, v.value
FROM tbl t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type at ON at.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description cd ON cd.classoid = 'pg_class'::regclass AND cd.objoid = t.oid AND cd.objsubid = a.attnum
CROSS JOIN LATERAL (VALUES
	('a', 'column ' || quote_ident(a.attname),
		format_type(a.atttypid, a.atttypmod) || {collate a}
		|| CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
		|| CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
			WHEN ad.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END
		|| CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
		|| CASE WHEN a.attidentity <> '' THEN COALESCE((SELECT ' (' || {seqopts s} || ')'
			FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid
			WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			  AND d.refobjid = t.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i'), '') ELSE '' END),
	('b', 'comment column ' || quote_ident(a.attname), cd.description)
) v(sub, key, value)
UNION ALL
SELECT 'table', t.name, t.nspname, t.relname, 10000, con.conname,
	CASE con.contype WHEN 'p' THEN 'primary key ' WHEN 'u' THEN 'unique ' WHEN 'c' THEN 'check '
		WHEN 'f' THEN 'foreign key ' ELSE 'exclude ' END || quote_ident(con.conname),
	pg_get_constraintdef(con.oid)
FROM tbl t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype IN ('p', 'u', 'c', 'f', 'x')
UNION ALL
SELECT 'table', t.name, t.nspname, t.relname, 20000, pol.polname, 'policy ' || quote_ident(pol.polname),
	'AS ' || CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END
	|| ' FOR ' || CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END
	|| ' TO ' || (SELECT string_agg(r.name, ', ' ORDER BY r.name) FROM (
		SELECT CASE WHEN u.oid = 0 THEN 'PUBLIC' ELSE quote_ident(ro.rolname) END AS name
		FROM unnest(pol.polroles) u(oid) LEFT JOIN pg_roles ro ON ro.oid = u.oid) r)
	|| COALESCE(' USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')', '')
	|| COALESCE(' WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', '')
FROM tbl t JOIN pg_policy pol ON pol.polrelid = t.oid
UNION ALL
SELECT 'table', t.name, t.nspname, t.relname, v.ord, '', v.key, v.value
FROM tbl t CROSS JOIN LATERAL (VALUES
	(0, '', NULL),
	(30001, 'partition by', CASE WHEN t.relkind = 'p' THEN pg_get_partkeydef(t.oid) END),
	(30002, 'partition of', CASE WHEN t.relispartition THEN (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
		FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
		WHERE i.inhrelid = t.oid) || ' ' || pg_get_expr(t.relpartbound, t.oid) END),
	(30003, 'inherits', CASE WHEN NOT t.relispartition THEN (SELECT string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', ' ORDER BY i.inhseqno)
		FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
		WHERE i.inhrelid = t.oid) END),
	(30004, 'unlogged', CASE WHEN t.relpersistence = 'u' THEN 'true' END),
	(30005, 'options', array_to_string(t.reloptions, ', ')),
	(30006, 'row level security', CASE WHEN t.relforcerowsecurity THEN 'forced' WHEN t.relrowsecurity THEN 'enabled' END),
	(30007, 'comment', (SELECT d.description FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = t.oid AND d.objsubid = 0))
) v(ord, key, value)
) x`

const queryViews = `SELECT CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, {qname c}, NULL, NULL, v.ord, '', v.key, v.value
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (VALUES
	(1, 'definition', pg_get_viewdef(c.oid)),
	(2, 'options', array_to_string(c.reloptions, ', ')),
	(100000, 'comment', {comment pg_class c})
) v(ord, key, value)
WHERE c.relkind IN ('v', 'm') AND {nsp n} AND {notext pg_class c}`

// queryRoutines reads functions and procedures (not aggregates, and not
// the constructors PostgreSQL makes for a range type, which depend on it
// internally). The
// name is the signature, since PostgreSQL overloads on it; {body} is the
// body expression, which depends on the server version.
const queryRoutines = `SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
	{qname p} || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')', NULL, NULL, v.ord, '', v.key, v.value
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
CROSS JOIN LATERAL (VALUES
	(1, 'arguments', NULLIF(pg_get_function_arguments(p.oid), '')),
	(2, 'returns', CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END),
	(3, 'language', quote_ident(l.lanname)),
	(4, 'volatility', CASE WHEN p.prokind <> 'p' THEN CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END END),
	(5, 'strict', CASE WHEN p.proisstrict THEN 'true' END),
	(6, 'security definer', CASE WHEN p.prosecdef THEN 'true' END),
	(7, 'leakproof', CASE WHEN p.proleakproof THEN 'true' END),
	(8, 'parallel', CASE WHEN p.prokind <> 'p' THEN CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END END),
	(9, 'window', CASE WHEN p.prokind = 'w' THEN 'true' END),
	(10, 'set', array_to_string(p.proconfig, ', ')),
	(11, 'library', NULLIF(p.probin, '')),
	(12, 'body', {body}),
	(100000, 'comment', {comment pg_proc p})
) v(ord, key, value)
WHERE p.prokind IN ('f', 'p', 'w') AND {nsp n} AND {notext pg_proc p}
  AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')`

// queryTriggers reads the triggers users create, not the internal ones
// behind foreign keys.
const queryTriggers = `SELECT 'trigger', {qname c} || '.' || quote_ident(tg.tgname), n.nspname, c.relname, v.ord, '', v.key, v.value
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (VALUES
	(1, 'table', {qname c}),
	(2, 'definition', pg_get_triggerdef(tg.oid)),
	(3, 'enabled', CASE tg.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END),
	(100000, 'comment', {comment pg_trigger tg})
) v(ord, key, value)
WHERE NOT tg.tgisinternal AND {nsp n} AND {notext pg_class c}`

// queryIndexes reads the indexes that do not back a primary key, unique
// or exclusion constraint (those are the constraint, read with the
// table). Its rows are: name, table schema, table name, table, the
// pg_get_indexdef text, the prefix of that text up to the column list,
// predicate, method, unique, valid, comment.
const queryIndexes = `SELECT {qname ic}, n.nspname, c.relname, {qname c}, pg_get_indexdef(i.indexrelid),
	'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname) || ' ON '
		|| CASE WHEN ic.relkind = 'I' THEN 'ONLY ' ELSE '' END || {qname c} || ' USING ' || quote_ident(am.amname) || ' ',
	COALESCE(pg_get_expr(i.indpred, i.indrelid), ''), am.amname, i.indisunique, i.indisvalid, {comment pg_class ic}
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = ic.relam
WHERE {nsp n} AND {notext pg_class c}
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))`
