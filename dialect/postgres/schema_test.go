package postgres_test

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// TestReadSchemaObjects reads every kind of object with the attributes a
// reviewer needs, fully qualified, and leaves out what PostgreSQL or an
// extension made on its own.
func TestReadSchemaObjects(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	createFixture(t, db, false)
	snap := read(t, db, nil)
	if snap.Dialect != "postgres" {
		t.Errorf("Dialect = %q", snap.Dialect)
	}
	for _, tc := range []struct {
		kind      schema.Kind
		name, key string
		want      string
	}{
		{schema.KindSchema, "app", "", ""},
		{schema.KindTable, "app.nothing", "", ""},
		{schema.KindSchema, "public", "comment", "standard public schema"},
		{schema.KindExtension, "citext", "schema", "public"},
		{schema.KindExtension, "plpgsql", "schema", "pg_catalog"},
		{schema.KindType, "app.mood", "enum", "'sad', 'ok', 'happy'"},
		{schema.KindType, "app.pair", "attribute b", `text COLLATE pg_catalog."C"`},
		{schema.KindType, "app.span", "range subtype", "integer"},
		{schema.KindDomain, "app.posint", "type", "integer"},
		{schema.KindDomain, "app.posint", "default", "1"},
		{schema.KindDomain, "app.posint", "not null", "true"},
		{schema.KindDomain, "app.posint", "check posint_check", "CHECK ((VALUE > 0))"},
		{schema.KindSequence, "app.counter", "type", "bigint"},
		{schema.KindSequence, "app.counter", "increment", "5"},
		{schema.KindSequence, "app.counter", "start", "100"},
		{schema.KindSequence, "app.counter", "maxvalue", "100000"},
		{schema.KindSequence, "app.counter", "cycle", "true"},
		{schema.KindSequence, "app.orders_id_seq", "owned by", "app.orders.id"},
		{schema.KindTable, "app.users", "column id", "bigint NOT NULL GENERATED ALWAYS AS IDENTITY (START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1)"},
		{schema.KindTable, "app.users", "column email", "public.citext NOT NULL"},
		{schema.KindTable, "app.users", "column name", `text COLLATE pg_catalog."C"`},
		{schema.KindTable, "app.users", "column mood", "app.mood DEFAULT 'ok'::app.mood"},
		{schema.KindTable, "app.users", "column score", "numeric(10,2) DEFAULT 0"},
		{schema.KindTable, "app.users", "column score2", "numeric GENERATED ALWAYS AS ((score * (2)::numeric)) STORED"},
		{schema.KindTable, "app.users", "primary key users_pkey", "PRIMARY KEY (id)"},
		{schema.KindTable, "app.users", "unique users_email_key", "UNIQUE (email)"},
		{schema.KindTable, "app.users", "check users_age_check", "CHECK (((age)::integer < 200))"},
		{schema.KindTable, "app.users", "policy users_positive", "AS PERMISSIVE FOR ALL TO PUBLIC USING ((id > 0))"},
		{schema.KindTable, "app.users", "row level security", "enabled"},
		{schema.KindTable, "app.users", "comment", "people who order"},
		{schema.KindTable, "app.users", "comment column email", "login"},
		{schema.KindTable, "app.orders", "column id", "integer NOT NULL DEFAULT nextval('app.orders_id_seq'::regclass)"},
		{schema.KindTable, "app.orders", "foreign key orders_user_fk", "FOREIGN KEY (user_id) REFERENCES app.users(id) ON DELETE CASCADE"},
		{schema.KindTable, "app.orders", "exclude orders_no_overlap", "EXCLUDE USING gist (during WITH &&)"},
		{schema.KindTable, "app.events", "partition by", "RANGE (at)"},
		{schema.KindTable, "app.events_2026", "partition of", "app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"},
		{schema.KindIndex, "app.orders_total_idx", "table", "app.orders"},
		{schema.KindIndex, "app.orders_total_idx", "method", "btree"},
		{schema.KindIndex, "app.orders_total_idx", "columns", "(total DESC)"},
		{schema.KindIndex, "app.orders_total_idx", "predicate", "(total > (0)::numeric)"},
		{schema.KindIndex, "app.orders_total_idx", "unique", "false"},
		{schema.KindIndex, "app.users_lower_name", "unique", "true"},
		{schema.KindIndex, "app.users_lower_name", "columns", "(lower(name)) INCLUDE (id)"},
		{schema.KindIndex, "app.users_email_hash", "method", "hash"},
		{schema.KindTable, `app."Order Lines"`, `column "Line No"`, "integer NOT NULL"},
		{schema.KindTable, `app."Order Lines"`, `primary key "Order Lines_pkey"`, `PRIMARY KEY ("Line No")`},
		{schema.KindIndex, `app."Order Lines Note"`, "table", `app."Order Lines"`},
		{schema.KindIndex, `app."Order Lines Note"`, "columns", `("Note")`},
		{schema.KindIndex, `app."Order Lines Note"`, "predicate", `("Line No" > 0)`},
		{schema.KindView, "app.active_users", "definition", " SELECT users.id,\n    users.email\n   FROM app.users\n  WHERE (users.mood <> 'sad'::app.mood);"},
		{schema.KindMaterializedView, "app.order_totals", "definition", " SELECT orders.user_id,\n    sum(orders.total) AS total\n   FROM app.orders\n  GROUP BY orders.user_id;"},
		{schema.KindFunction, "app.add(integer, integer)", "arguments", "a integer, b integer DEFAULT 1"},
		{schema.KindFunction, "app.add(integer, integer)", "returns", "integer"},
		{schema.KindFunction, "app.add(integer, integer)", "language", "sql"},
		{schema.KindFunction, "app.add(integer, integer)", "volatility", "immutable"},
		{schema.KindFunction, "app.add(integer, integer)", "strict", "true"},
		{schema.KindFunction, "app.add(integer, integer)", "body", " SELECT a + b "},
		{schema.KindFunction, "app.touch()", "security definer", "true"},
		{schema.KindFunction, "app.touch()", "set", "search_path=app"},
		{schema.KindFunction, "app.touch()", "returns", "trigger"},
		{schema.KindProcedure, "app.noop(integer)", "body", "BEGIN ATOMIC\n SELECT n AS n;\nEND"},
		{schema.KindTrigger, "app.users.users_touch", "table", "app.users"},
		{schema.KindTrigger, "app.users.users_touch", "definition", "CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()"},
	} {
		o := find(snap, tc.kind, tc.name)
		if o == nil {
			t.Errorf("%s %s: not read", tc.kind, tc.name)
			continue
		}
		if tc.key == "" {
			continue
		}
		i := slices.IndexFunc(o.Attrs, func(a schema.Attr) bool { return a.Key == tc.key })
		if i < 0 {
			t.Errorf("%s %s: no %q in %q", tc.kind, tc.name, tc.key, o.Attrs)
		} else if got := o.Attrs[i].Value; got != tc.want {
			t.Errorf("%s %s: %s = %q, want %q", tc.kind, tc.name, tc.key, got, tc.want)
		}
	}
	for _, tc := range []struct {
		kind schema.Kind
		name string
		why  string
	}{
		{schema.KindType, "public.citext", "the extension's type"},
		{schema.KindFunction, "public.citext(boolean)", "the extension's function"},
		{schema.KindFunction, "app.span(integer, integer)", "the range type's constructor"},
		{schema.KindType, "app.users", "a table's row type"},
		{schema.KindType, "app.span_multirange", "the range type's multirange"},
		{schema.KindSequence, "app.users_id_seq", "an identity column's sequence (part of the column)"},
		{schema.KindIndex, "app.users_pkey", "a primary key's index (part of the constraint)"},
		{schema.KindIndex, "app.users_email_key", "a unique constraint's index"},
		{schema.KindIndex, "app.orders_no_overlap", "an exclusion constraint's index"},
	} {
		if find(snap, tc.kind, tc.name) != nil {
			t.Errorf("%s %s is read, but it is %s", tc.kind, tc.name, tc.why)
		}
	}
	for _, o := range snap.Objects {
		if o.Kind == schema.KindTrigger && o.Name != "app.users.users_touch" {
			t.Errorf("trigger %s read: internal foreign key triggers must be left out", o.Name)
		}
	}
	attrs := find(snap, schema.KindTable, "app.users").Attrs
	var keys []string
	for _, a := range attrs {
		keys = append(keys, a.Key)
	}
	wantKeys := []string{"column id", "column email", "comment column email", "column name", "column mood", "column age",
		"column score", "column score2", "column updated_at", "check users_age_check", "unique users_email_key",
		"primary key users_pkey", "policy users_positive", "row level security", "comment"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("app.users attributes in order\n%q, want\n%q", keys, wantKeys)
	}
}

// TestReadSchemaOrderAndSearchPath creates the same schema twice, in
// different orders and once with unqualified names under another
// search_path, and reads it through a session with yet another
// search_path: the snapshots are equal.
func TestReadSchemaOrderAndSearchPath(t *testing.T) {
	t.Parallel()
	a, b := testdb.Postgres(t), testdb.Postgres(t)
	dbA, dbB := a.Open(t), b.Open(t)
	createFixture(t, dbA, false)
	createFixture(t, dbB, true)
	other := testdb.DB{DriverName: b.DriverName, DSN: b.DSN + "&search_path=app,public"}.Open(t)
	var path string
	if err := other.QueryRow("SHOW search_path").Scan(&path); err != nil || path != "app,public" {
		t.Fatalf("search_path = %q, %v: the runtime parameter did not take", path, err)
	}
	want := read(t, dbA, nil)
	for name, db := range map[string]*sql.DB{"default search_path": dbB, "search_path app, public": other} {
		got := read(t, db, nil)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: snapshots differ: %q\n%s", name, changes(want, got), text(got))
		}
	}
}

// TestReadSchemaConnections reads through every kind of Execer: each
// gives the same snapshot and leaves the session's search_path and
// transaction as they were.
func TestReadSchemaConnections(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	createFixture(t, db, false)
	want := read(t, db, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// open returns the Execer to read through and what ends it.
		open func(t *testing.T, c *sql.Conn) (dialect.Execer, func())
		// inTx: after the read the caller's transaction is still open.
		inTx bool
	}{
		{"conn", func(t *testing.T, c *sql.Conn) (dialect.Execer, func()) { return c, func() {} }, false},
		{"conn inside BEGIN", func(t *testing.T, c *sql.Conn) (dialect.Execer, func()) {
			if _, err := c.ExecContext(ctx, "BEGIN"); err != nil {
				t.Fatal(err)
			}
			return c, func() {
				if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
					t.Error(err)
				}
			}
		}, true},
		{"tx", func(t *testing.T, c *sql.Conn) (dialect.Execer, func()) {
			tx, err := c.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			return tx, func() {
				if err := tx.Rollback(); err != nil {
					t.Error(err)
				}
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.ExecContext(ctx, "SET search_path TO app, public"); err != nil {
				t.Fatal(err)
			}
			q, end := tc.open(t, c)
			defer end()
			if got := read(t, q, nil); !reflect.DeepEqual(got, want) {
				t.Errorf("snapshot differs: %q", changes(want, got))
			}
			var path string
			if err := q.QueryRowContext(ctx, "SELECT current_setting('search_path')").Scan(&path); err != nil {
				t.Fatal(err)
			}
			// now() is the transaction's start: equal in two statements
			// only when both run in one transaction.
			var t1, t2 time.Time
			if err := q.QueryRowContext(ctx, "SELECT now()").Scan(&t1); err != nil {
				t.Fatal(err)
			}
			if err := q.QueryRowContext(ctx, "SELECT now()").Scan(&t2); err != nil {
				t.Fatal(err)
			}
			inTx := t1.Equal(t2)
			if path != "app, public" {
				t.Errorf("search_path after the read = %q, want it left as app, public", path)
			}
			if inTx != tc.inTx {
				t.Errorf("in a transaction after the read = %v, want %v", inTx, tc.inTx)
			}
		})
	}
}
