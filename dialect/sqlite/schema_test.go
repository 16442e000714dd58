package sqlite_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// schemaFixture is one object of each kind; schemaFixtureOrder is another
// order it can be created in.
var schemaFixture = []string{
	`CREATE TABLE users (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		email TEXT NOT NULL COLLATE NOCASE UNIQUE,
		name TEXT DEFAULT 'anon',
		age INTEGER CONSTRAINT age_ok CHECK (age >= 0),
		score INTEGER NOT NULL DEFAULT 0, -- points
		email_lower TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL,
		created TEXT DEFAULT CURRENT_TIMESTAMP,
		CHECK (score < 1000000)
	)`,
	`CREATE TABLE orders (
		id INTEGER NOT NULL,
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		total REAL NOT NULL DEFAULT 0,
		PRIMARY KEY (id, user_id)
	) WITHOUT ROWID`,
	`CREATE TABLE places (id INTEGER PRIMARY KEY, label TEXT, UNIQUE (label, id)) STRICT`,
	`CREATE INDEX users_name ON users (name COLLATE NOCASE DESC, age)`,
	`CREATE UNIQUE INDEX users_lower ON users (lower(name), age) WHERE age > 18`,
	`CREATE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 100`,
	`CREATE TRIGGER orders_bi BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'negative  total') WHERE NEW.total < 0; END`,
}

var schemaFixtureOrder = []int{2, 0, 4, 1, 6, 3, 5}

func buildSchema(t *testing.T, db *sql.DB, stmts []string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%.60s: %v", s, err)
		}
	}
}

func readSchema(t *testing.T, db *sql.DB, skip func(string, string) bool) *schema.Snapshot {
	t.Helper()
	s, err := sqlite.Dialect{}.ReadSchema(context.Background(), db, skip)
	if err != nil {
		t.Fatalf("ReadSchema: %v", err)
	}
	slices.SortFunc(s.Objects, func(a, b schema.Object) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return s
}

// changes lists what differs between two snapshots: "+kind name" and
// "-kind name" for added and removed objects, "kind name: key" for each
// added, removed or changed attribute.
func changes(a, b *schema.Snapshot) []string {
	index := func(s *schema.Snapshot) map[string]map[string]string {
		m := map[string]map[string]string{}
		for _, o := range s.Objects {
			attrs := map[string]string{}
			for _, at := range o.Attrs {
				attrs[at.Key] = at.Value
			}
			m[string(o.Kind)+" "+o.Name] = attrs
		}
		return m
	}
	ia, ib := index(a), index(b)
	var out []string
	for k, aa := range ia {
		ba, ok := ib[k]
		if !ok {
			out = append(out, "-"+k)
			continue
		}
		for key, v := range aa {
			if w, ok := ba[key]; !ok || w != v {
				out = append(out, k+": "+key)
			}
		}
		for key := range ba {
			if _, ok := aa[key]; !ok {
				out = append(out, k+": "+key)
			}
		}
	}
	for k := range ib {
		if _, ok := ia[k]; !ok {
			out = append(out, "+"+k)
		}
	}
	slices.Sort(out)
	return out
}

func attrOf(s *schema.Snapshot, kind schema.Kind, name, key string) (string, bool) {
	for _, o := range s.Objects {
		if o.Kind == kind && o.Name == name {
			for _, a := range o.Attrs {
				if a.Key == key {
					return a.Value, true
				}
			}
		}
	}
	return "", false
}

func TestReadSchemaAttributes(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t).Open(t)
	buildSchema(t, db, schemaFixture)
	s := readSchema(t, db, nil)
	if s.Dialect != "sqlite" {
		t.Errorf("Dialect = %q", s.Dialect)
	}
	for _, tc := range []struct {
		kind            schema.Kind
		name, key, want string
	}{
		{schema.KindTable, "users", "column id", "INTEGER"},
		{schema.KindTable, "users", "column email", "TEXT COLLATE NOCASE NOT NULL"},
		{schema.KindTable, "users", "column name", "TEXT DEFAULT 'anon'"},
		{schema.KindTable, "users", "column score", "INTEGER NOT NULL DEFAULT 0"},
		{schema.KindTable, "users", "column email_lower", "TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL"},
		{schema.KindTable, "users", "column created", "TEXT DEFAULT CURRENT_TIMESTAMP"},
		{schema.KindTable, "users", "primary key", `("id") AUTOINCREMENT`},
		{schema.KindTable, "users", `unique ("email")`, "UNIQUE (\"email\" COLLATE NOCASE)"},
		{schema.KindTable, "users", "check age_ok", "CHECK (age >= 0)"},
		{schema.KindTable, "users", "check #1", "CHECK (score < 1000000)"},
		{schema.KindTable, "orders", "primary key", `("id", "user_id")`},
		{schema.KindTable, "orders", `foreign key ("user_id")`, `REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE`},
		{schema.KindTable, "orders", "options", "WITHOUT ROWID"},
		{schema.KindTable, "places", "options", "STRICT"},
		{schema.KindTable, "places", `unique ("label", "id")`, `UNIQUE ("label", "id")`},
		{schema.KindIndex, "users_name", "table", "users"},
		{schema.KindIndex, "users_name", "unique", "no"},
		{schema.KindIndex, "users_name", "columns", `("name" COLLATE NOCASE DESC, "age")`},
		{schema.KindIndex, "users_lower", "unique", "yes"},
		{schema.KindIndex, "users_lower", "columns", `(lower(name), "age")`},
		{schema.KindIndex, "users_lower", "where", "age > 18"},
		{schema.KindView, "big_orders", "definition", "CREATE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 100"},
		{schema.KindTrigger, "orders_bi", "table", "orders"},
		{schema.KindTrigger, "orders_bi", "definition", "CREATE TRIGGER orders_bi BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'negative  total') WHERE NEW.total < 0; END"},
	} {
		if got, ok := attrOf(s, tc.kind, tc.name, tc.key); !ok || got != tc.want {
			t.Errorf("%s %s %q = %q (present %v), want %q", tc.kind, tc.name, tc.key, got, ok, tc.want)
		}
	}
	if len(s.Objects) != 7 {
		t.Errorf("read %d objects, want 7 (3 tables, 2 indexes, view, trigger): %v", len(s.Objects), s.Objects)
	}
}

// TestReadSchemaStable builds the fixture twice, in another order and
// another layout, and reads equal snapshots; then it uses the database
// (rows, AUTOINCREMENT, ANALYZE, VACUUM) and reads the same snapshot.
func TestReadSchemaStable(t *testing.T) {
	t.Parallel()
	a, b := testdb.SQLite(t).Open(t), testdb.SQLite(t).Open(t)
	buildSchema(t, a, schemaFixture)
	relayout := strings.NewReplacer(", ", ",\n\t  ", " AS ", "   AS\n")
	var reordered []string
	for _, i := range schemaFixtureOrder {
		reordered = append(reordered, relayout.Replace(schemaFixture[i]))
	}
	buildSchema(t, b, reordered)
	sa := readSchema(t, a, nil)
	if d := changes(sa, readSchema(t, b, nil)); len(d) > 0 {
		t.Fatalf("the same objects in another order and layout read differently: %q", d)
	}
	for _, tc := range []struct {
		name  string
		stmts []string
	}{
		{"rows", []string{
			"INSERT INTO users (email, age) VALUES ('a@example.com', 3), ('b@example.com', 40)",
			"INSERT INTO orders (id, user_id, total) SELECT id, id, 150 FROM users",
		}},
		{"autoincrement", []string{"DELETE FROM orders", "DELETE FROM users", "INSERT INTO users (email) VALUES ('c@example.com')"}},
		{"analyze", []string{"ANALYZE"}},
		{"vacuum", []string{"VACUUM"}},
	} {
		buildSchema(t, b, tc.stmts)
		if d := changes(sa, readSchema(t, b, nil)); len(d) > 0 {
			t.Errorf("after %s the snapshot changed: %q", tc.name, d)
		}
	}
}

func TestReadSchemaSkip(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t).Open(t)
	buildSchema(t, db, schemaFixture)
	var schemas []string
	s := readSchema(t, db, func(schemaName, table string) bool {
		schemas = append(schemas, schemaName)
		return table == "users"
	})
	for _, o := range s.Objects {
		if o.Name == "users" || strings.HasPrefix(o.Name, "users_") {
			t.Errorf("%s %s of the skipped table is in the snapshot", o.Kind, o.Name)
		}
	}
	if _, ok := attrOf(s, schema.KindTrigger, "orders_bi", "table"); !ok {
		t.Errorf("the tables not skipped lost their trigger: %v", s.Objects)
	}
	if len(schemas) == 0 || slices.ContainsFunc(schemas, func(s string) bool { return s != "" }) {
		t.Errorf("skip was called with schemas %q, want only \"\"", schemas)
	}
}

// recreate replaces the places table with another definition, as SQLite
// users change a column: a new table, the rows copied, the old dropped,
// the new renamed.
func recreate(def string) []string {
	return []string{
		"CREATE TABLE places_new " + def,
		"INSERT INTO places_new (id, label) SELECT id, label FROM places",
		"DROP TABLE places",
		"ALTER TABLE places_new RENAME TO places",
	}
}

// TestReadSchemaChanges changes one object by hand in each case and
// expects exactly that object's changed attributes.
func TestReadSchemaChanges(t *testing.T) {
	t.Parallel()
	base := testdb.SQLite(t).Open(t)
	buildSchema(t, base, schemaFixture)
	want := readSchema(t, base, nil)
	for _, tc := range []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"column added", []string{"ALTER TABLE places ADD COLUMN note TEXT"}, []string{"table places: column note"}},
		{"column type", recreate("(id INTEGER PRIMARY KEY, label INTEGER, UNIQUE (label, id)) STRICT"), []string{"table places: column label"}},
		{"default", recreate("(id INTEGER PRIMARY KEY, label TEXT DEFAULT 'x', UNIQUE (label, id)) STRICT"), []string{"table places: column label"}},
		{"collation", recreate("(id INTEGER PRIMARY KEY, label TEXT COLLATE NOCASE, UNIQUE (label, id)) STRICT"), []string{"table places: column label", `table places: unique ("label", "id")`}},
		{"check", recreate("(id INTEGER PRIMARY KEY, label TEXT, UNIQUE (label, id), CHECK (length(label) < 10)) STRICT"), []string{"table places: check #1"}},
		{"unique", recreate("(id INTEGER PRIMARY KEY, label TEXT, UNIQUE (label)) STRICT"), []string{`table places: unique ("label")`, `table places: unique ("label", "id")`}},
		{"not strict", recreate("(id INTEGER PRIMARY KEY, label TEXT, UNIQUE (label, id))"), []string{"table places: options"}},
		{"index added", []string{"CREATE INDEX orders_total ON orders (total)"}, []string{"+index orders_total"}},
		{"index predicate", []string{"DROP INDEX users_lower", "CREATE UNIQUE INDEX users_lower ON users (lower(name), age) WHERE age > 21"}, []string{"index users_lower: where"}},
		{"index columns", []string{"DROP INDEX users_name", "CREATE INDEX users_name ON users (name COLLATE NOCASE, age)"}, []string{"index users_name: columns"}},
		{"view replaced", []string{"DROP VIEW big_orders", "CREATE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 200"}, []string{"view big_orders: definition"}},
		{"trigger replaced", []string{"DROP TRIGGER orders_bi", "CREATE TRIGGER orders_bi BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'negative') WHERE NEW.total < 1; END"}, []string{"trigger orders_bi: definition"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.SQLite(t).Open(t)
			buildSchema(t, db, schemaFixture)
			buildSchema(t, db, tc.stmts)
			if got := changes(want, readSchema(t, db, nil)); !slices.Equal(got, tc.want) {
				t.Errorf("changes = %q, want %q", got, tc.want)
			}
		})
	}
}
