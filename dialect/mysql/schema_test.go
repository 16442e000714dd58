package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	driver "github.com/go-sql-driver/mysql"

	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// schemaFixture is one object of each kind. Each entry is independent of
// the entries after it, so the list also runs in the order of
// schemaFixtureOrder.
var schemaFixture = []string{
	`CREATE TABLE users (
		id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
		email varchar(200) NOT NULL,
		name varchar(100) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT 'anon',
		note text,
		created timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
		age int DEFAULT NULL,
		score int NOT NULL DEFAULT 0 COMMENT 'points',
		email_lower varchar(200) AS (lower(email)) VIRTUAL,
		tag varchar(10) DEFAULT 'NULL',
		CONSTRAINT age_ok CHECK (age >= 0),
		UNIQUE KEY users_email (email)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
	`CREATE TABLE orders (
		id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
		user_id bigint NOT NULL,
		total decimal(10,2) NOT NULL DEFAULT 0.00,
		CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
	`CREATE INDEX users_name ON users (name(10), age DESC)`,
	`CREATE FULLTEXT INDEX users_note ON users (note)`,
	`CREATE TABLE places (id int NOT NULL PRIMARY KEY, pos POINT NOT NULL, SPATIAL INDEX places_pos (pos)) ENGINE=InnoDB`,
	`CREATE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 100`,
	`CREATE FUNCTION add_one(x int) RETURNS int DETERMINISTIC RETURN x + 1`,
	`CREATE PROCEDURE touch(IN uid bigint, OUT n int) MODIFIES SQL DATA
	BEGIN UPDATE users SET score = score + 1 WHERE id = uid; SELECT ROW_COUNT() INTO n; END`,
	`CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = GREATEST(NEW.total, 0)`,
	`CREATE EVENT purge_orders ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM orders WHERE total = 0`,
	`CREATE SEQUENCE ticket_seq START WITH 100 INCREMENT BY 5`, // MariaDB's
}

// schemaFixtureOrder is another order schemaFixture can be created in.
var schemaFixtureOrder = []int{9, 6, 10, 4, 0, 3, 7, 1, 8, 5, 2}

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
	s, err := mysql.Dialect{}.ReadSchema(context.Background(), db, skip)
	if err != nil {
		t.Fatalf("ReadSchema: %v", err)
	}
	sortSnapshot(s)
	return s
}

// sortSnapshot orders the objects by kind and name (schema.Normalize's
// job, which this package's tests do not depend on).
func sortSnapshot(s *schema.Snapshot) {
	slices.SortFunc(s.Objects, func(a, b schema.Object) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
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

func find(s *schema.Snapshot, kind schema.Kind, name string) *schema.Object {
	for i := range s.Objects {
		if s.Objects[i].Kind == kind && s.Objects[i].Name == name {
			return &s.Objects[i]
		}
	}
	return nil
}

func TestReadSchemaAttributes(t *testing.T) {
	t.Parallel()
	db := testdb.MySQL(t).Open(t)
	buildSchema(t, db, schemaFixture)
	s := readSchema(t, db, nil)
	if s.Dialect != "mysql" {
		t.Errorf("Dialect = %q", s.Dialect)
	}
	for _, tc := range []struct {
		kind       schema.Kind
		name, key  string
		want       string
		wantPrefix bool
	}{
		{schema.KindTable, "users", "engine", "InnoDB", false},
		{schema.KindTable, "users", "collation", "utf8mb4_unicode_ci", false},
		{schema.KindTable, "users", "column id", "bigint(20) NOT NULL auto_increment", false},
		{schema.KindTable, "users", "column email", "varchar(200) NOT NULL", false},
		{schema.KindTable, "users", "column name", "varchar(100) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT 'anon'", false},
		{schema.KindTable, "users", "column created", "timestamp NOT NULL DEFAULT current_timestamp() on update current_timestamp()", false},
		{schema.KindTable, "users", "column age", "int(11)", false},
		{schema.KindTable, "users", "column score", "int(11) NOT NULL DEFAULT 0 COMMENT 'points'", false},
		{schema.KindTable, "users", "column email_lower", "varchar(200) GENERATED ALWAYS AS (lcase(`email`)) VIRTUAL", false},
		{schema.KindTable, "users", "column tag", "varchar(10) DEFAULT 'NULL'", false},
		{schema.KindTable, "users", "primary key", "(`id`)", false},
		{schema.KindTable, "users", "check age_ok", "CHECK (`age` >= 0)", false},
		{schema.KindTable, "orders", "foreign key orders_user", "(`user_id`) REFERENCES `users` (`id`) ON UPDATE RESTRICT ON DELETE CASCADE", false},
		{schema.KindTable, "orders", "column total", "decimal(10,2) NOT NULL DEFAULT 0.00", false},
		{schema.KindIndex, "users.users_email", "unique", "yes", false},
		{schema.KindIndex, "users.users_email", "columns", "(`email`)", false},
		{schema.KindIndex, "users.users_name", "columns", "(`name`(10), `age` DESC)", false},
		{schema.KindIndex, "users.users_name", "unique", "no", false},
		{schema.KindIndex, "users.users_note", "type", "FULLTEXT", false},
		{schema.KindIndex, "places.places_pos", "type", "SPATIAL", false},
		{schema.KindIndex, "orders.orders_user", "columns", "(`user_id`)", false},
		{schema.KindView, "big_orders", "definition", "select `o`.`id` AS `id`,`u`.`email` AS `email` from (`orders` `o` join `users` `u` on(`u`.`id` = `o`.`user_id`)) where `o`.`total` > 100", false},
		{schema.KindView, "big_orders", "security", "DEFINER", false},
		{schema.KindView, "big_orders", "algorithm", "UNDEFINED", false},
		{schema.KindFunction, "add_one", "parameters", "(`x` int(11))", false},
		{schema.KindFunction, "add_one", "returns", "int(11)", false},
		{schema.KindFunction, "add_one", "deterministic", "yes", false},
		{schema.KindFunction, "add_one", "body", "RETURN x + 1", false},
		{schema.KindProcedure, "touch", "parameters", "(IN `uid` bigint(20), OUT `n` int(11))", false},
		{schema.KindProcedure, "touch", "sql data access", "MODIFIES SQL DATA", false},
		{schema.KindProcedure, "touch", "body", "BEGIN UPDATE users", true},
		{schema.KindTrigger, "orders_bi", "table", "orders", false},
		{schema.KindTrigger, "orders_bi", "timing", "BEFORE", false},
		{schema.KindTrigger, "orders_bi", "event", "INSERT", false},
		{schema.KindTrigger, "orders_bi", "statement", "SET NEW.total = GREATEST(NEW.total, 0)", false},
		{schema.KindEvent, "purge_orders", "every", "1 DAY", false},
		{schema.KindEvent, "purge_orders", "status", "DISABLED", false},
		{schema.KindEvent, "purge_orders", "body", "DELETE FROM orders WHERE total = 0", false},
		{schema.KindSequence, "ticket_seq", "start", "100", false},
		{schema.KindSequence, "ticket_seq", "increment", "5", false},
		{schema.KindSequence, "ticket_seq", "cycle", "no", false},
	} {
		o := find(s, tc.kind, tc.name)
		if o == nil {
			t.Errorf("no %s %s in the snapshot", tc.kind, tc.name)
			continue
		}
		got, ok := "", false
		for _, a := range o.Attrs {
			if a.Key == tc.key {
				got, ok = a.Value, true
			}
		}
		if !ok || (tc.wantPrefix && !strings.HasPrefix(got, tc.want)) || (!tc.wantPrefix && got != tc.want) {
			t.Errorf("%s %s %q = %q (present %v), want %q", tc.kind, tc.name, tc.key, got, ok, tc.want)
		}
	}
	if o := find(s, schema.KindIndex, "users.PRIMARY"); o != nil {
		t.Errorf("the primary key is an index object too: %v", o)
	}
	for _, o := range s.Objects {
		for _, a := range o.Attrs {
			if strings.Contains(a.Value, "strata_test_") {
				t.Errorf("%s %s %s names the database: %q", o.Kind, o.Name, a.Key, a.Value)
			}
		}
	}
}

// TestReadSchemaStable builds the fixture in two databases, in two
// orders, and reads equal snapshots; then it uses one of them (ANALYZE,
// OPTIMIZE, rows, auto-increment) and reads the same snapshot again.
func TestReadSchemaStable(t *testing.T) {
	t.Parallel()
	dbs := testdb.Many(t, "mysql", 2)
	a, b := dbs[0].Open(t), dbs[1].Open(t)
	buildSchema(t, a, schemaFixture)
	var reordered []string
	for _, i := range schemaFixtureOrder {
		reordered = append(reordered, schemaFixture[i])
	}
	buildSchema(t, b, reordered)
	sa, sb := readSchema(t, a, nil), readSchema(t, b, nil)
	if d := changes(sa, sb); len(d) > 0 {
		t.Fatalf("the same objects in another order and database read differently: %q", d)
	}
	if len(sa.Objects) != 14 {
		t.Errorf("read %d objects, want 14 (3 tables, 5 indexes, view, function, procedure, trigger, event, sequence)", len(sa.Objects))
	}
	for _, tc := range []struct {
		name  string
		stmts []string
	}{
		{"analyze", []string{"ANALYZE TABLE users, orders"}},
		{"rows", []string{
			"INSERT INTO users (email, age) VALUES ('a@example.com', 3), ('b@example.com', 4)",
			"INSERT INTO orders (user_id, total) SELECT id, 150 FROM users",
		}},
		{"optimize", []string{"OPTIMIZE TABLE users", "OPTIMIZE TABLE orders"}},
		{"auto-increment", []string{"ALTER TABLE users AUTO_INCREMENT = 5000", "INSERT INTO users (email) VALUES ('c@example.com')"}},
		{"sequence advanced", []string{"SELECT NEXTVAL(ticket_seq)", "SELECT NEXTVAL(ticket_seq)"}},
	} {
		buildSchema(t, b, tc.stmts)
		if d := changes(sa, readSchema(t, b, nil)); len(d) > 0 {
			t.Errorf("after %s the snapshot changed: %q", tc.name, d)
		}
	}
}

func TestReadSchemaSkip(t *testing.T) {
	t.Parallel()
	d := testdb.MySQL(t)
	db := d.Open(t)
	buildSchema(t, db, schemaFixture)
	var schemas []string
	s := readSchema(t, db, func(schemaName, table string) bool {
		schemas = append(schemas, schemaName)
		return table == "orders"
	})
	for _, o := range s.Objects {
		if o.Name == "orders" || strings.HasPrefix(o.Name, "orders.") || o.Name == "orders_bi" {
			t.Errorf("%s %s of the skipped table is in the snapshot", o.Kind, o.Name)
		}
	}
	if find(s, schema.KindTable, "users") == nil || find(s, schema.KindIndex, "users.users_name") == nil {
		t.Errorf("the tables not skipped are missing: %v", s.Objects)
	}
	if len(schemas) == 0 || schemas[0] != d.Name {
		t.Errorf("skip was called with schemas %q, want the database %q", schemas, d.Name)
	}
}

// TestReadSchemaChanges changes one object by hand in each case and
// expects exactly that object's changed attributes.
func TestReadSchemaChanges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"column type", []string{"ALTER TABLE users MODIFY COLUMN age bigint DEFAULT NULL"}, []string{"table users: column age"}},
		{"default", []string{"ALTER TABLE orders ALTER COLUMN total SET DEFAULT 1.00"}, []string{"table orders: column total"}},
		{"collation", []string{"ALTER TABLE users MODIFY note text COLLATE utf8mb4_bin"}, []string{"table users: column note"}},
		{"column added", []string{"ALTER TABLE places ADD COLUMN label varchar(20)"}, []string{"table places: column label"}},
		{"check", []string{"ALTER TABLE users DROP CONSTRAINT age_ok", "ALTER TABLE users ADD CONSTRAINT age_ok CHECK (age >= 18)"}, []string{"table users: check age_ok"}},
		{"foreign key", []string{"ALTER TABLE orders DROP FOREIGN KEY orders_user", "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT"}, []string{"table orders: foreign key orders_user"}},
		{"index added", []string{"CREATE INDEX orders_total ON orders (total)"}, []string{"+index orders.orders_total"}},
		{"index widened", []string{"DROP INDEX users_name ON users", "CREATE INDEX users_name ON users (name(20), age DESC)"}, []string{"index users.users_name: columns"}},
		{"procedure replaced", []string{"DROP PROCEDURE touch", `CREATE PROCEDURE touch(IN uid bigint, OUT n int) MODIFIES SQL DATA
	BEGIN UPDATE users SET score = score + 2 WHERE id = uid; SELECT ROW_COUNT() INTO n; END`}, []string{"procedure touch: body"}},
		{"function replaced", []string{"DROP FUNCTION add_one", "CREATE FUNCTION add_one(x bigint) RETURNS int DETERMINISTIC RETURN x + 1"}, []string{"function add_one: parameters"}},
		{"view replaced", []string{"CREATE OR REPLACE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 200"}, []string{"view big_orders: definition"}},
		{"view algorithm", []string{"CREATE OR REPLACE ALGORITHM=TEMPTABLE VIEW big_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 100"}, []string{"view big_orders: algorithm"}},
		{"trigger replaced", []string{"DROP TRIGGER orders_bi", "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = GREATEST(NEW.total, 1)"}, []string{"trigger orders_bi: statement"}},
		{"event altered", []string{"ALTER EVENT purge_orders ON SCHEDULE EVERY 2 DAY"}, []string{"event purge_orders: every"}},
		{"sequence altered", []string{"ALTER SEQUENCE ticket_seq INCREMENT BY 7"}, []string{"sequence ticket_seq: increment"}},
		{"engine", []string{"ALTER TABLE places ENGINE=Aria"}, []string{"table places: engine", "table places: options"}},
	}
	dbs := testdb.Many(t, "mysql", len(cases)+1)
	base := dbs[len(cases)].Open(t)
	buildSchema(t, base, schemaFixture)
	want := readSchema(t, base, nil)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := dbs[i].Open(t)
			buildSchema(t, db, schemaFixture)
			buildSchema(t, db, tc.stmts)
			if got := changes(want, readSchema(t, db, nil)); !slices.Equal(got, tc.want) {
				t.Errorf("changes = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadSchemaNoDatabase(t *testing.T) {
	t.Parallel()
	d := testdb.MySQL(t)
	cfg, err := driver.ParseDSN(d.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := (mysql.Dialect{}).ReadSchema(context.Background(), db, nil); !errors.Is(err, mysql.ErrNoDatabase) {
		t.Errorf("ReadSchema without a database = %v, want ErrNoDatabase", err)
	}
}
