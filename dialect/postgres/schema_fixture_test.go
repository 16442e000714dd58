package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/schema"
)

// fixture is a schema with every object kind ReadSchema reads, in layers:
// a statement depends only on statements of earlier layers, so the
// statements of a layer may run in any order. {s} is the schema prefix:
// "app." when the statements run with the default search_path, "" when
// they run with search_path app, public.
var fixture = [][]string{{
	`CREATE SCHEMA app`,
	`CREATE EXTENSION citext SCHEMA public`,
}, {
	`CREATE TYPE {s}mood AS ENUM ('sad', 'ok', 'happy')`,
	`CREATE TYPE {s}pair AS (a int, b text COLLATE "C")`,
	`CREATE TYPE {s}span AS RANGE (subtype = int4)`,
	`CREATE DOMAIN {s}posint AS int DEFAULT 1 NOT NULL CONSTRAINT posint_check CHECK (VALUE > 0)`,
	`CREATE SEQUENCE {s}counter AS bigint INCREMENT 5 START 100 MAXVALUE 100000 CYCLE`,
	`CREATE FUNCTION {s}add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT a + b $$`,
	`CREATE FUNCTION {s}touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = app AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$`,
	`CREATE PROCEDURE {s}noop(n int) LANGUAGE sql BEGIN ATOMIC SELECT n; END`,
	`CREATE TABLE {s}events (id int, at date NOT NULL) PARTITION BY RANGE (at)`,
	`CREATE TABLE {s}nothing ()`,
}, {
	`CREATE TABLE {s}users (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		email citext NOT NULL,
		name text COLLATE "C",
		mood {s}mood DEFAULT 'ok',
		age {s}posint,
		score numeric(10,2) DEFAULT 0,
		score2 numeric GENERATED ALWAYS AS (score * 2) STORED,
		updated_at timestamptz,
		CONSTRAINT users_email_key UNIQUE (email),
		CONSTRAINT users_age_check CHECK (age < 200))`,
	`CREATE TABLE {s}orders (id serial PRIMARY KEY, user_id bigint NOT NULL, during tstzrange, total numeric,
		CONSTRAINT orders_no_overlap EXCLUDE USING gist (during WITH &&))`,
	`CREATE TABLE {s}"Order Lines" ("Line No" int PRIMARY KEY, "Note" text)`,
	`CREATE TABLE {s}events_2026 PARTITION OF {s}events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
}, {
	`ALTER TABLE {s}orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES {s}users (id) ON DELETE CASCADE`,
	`CREATE INDEX orders_total_idx ON {s}orders (total DESC) WHERE total > 0`,
	`CREATE UNIQUE INDEX users_lower_name ON {s}users (lower(name)) INCLUDE (id)`,
	`CREATE INDEX "Order Lines Note" ON {s}"Order Lines" ("Note") WHERE "Line No" > 0`,
	`CREATE INDEX users_email_hash ON {s}users USING hash (email)`,
	`CREATE VIEW {s}active_users AS SELECT id, email FROM {s}users WHERE mood <> 'sad'`,
	`CREATE MATERIALIZED VIEW {s}order_totals AS SELECT user_id, sum(total) AS total FROM {s}orders GROUP BY user_id`,
	`CREATE TRIGGER users_touch BEFORE UPDATE ON {s}users FOR EACH ROW EXECUTE FUNCTION {s}touch()`,
	`ALTER TABLE {s}users ENABLE ROW LEVEL SECURITY`,
	`CREATE POLICY users_positive ON {s}users USING (id > 0)`,
	`COMMENT ON TABLE {s}users IS 'people who order'`,
	`COMMENT ON COLUMN {s}users.email IS 'login'`,
}}

// createFixture runs the fixture on one connection: qualified names in
// the written order, or (reversed) unqualified names in reverse order
// within each layer under search_path app, public.
func createFixture(t testing.TB, db *sql.DB, reversed bool) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prefix := "app."
	if reversed {
		prefix = ""
		if _, err := conn.ExecContext(ctx, "SET search_path TO app, public"); err != nil {
			t.Fatal(err)
		}
		// The connection goes back to the pool: leave it as it was.
		defer conn.ExecContext(ctx, "RESET search_path") //nolint:errcheck
	}
	for _, layer := range fixture {
		for i := range layer {
			stmt := layer[i]
			if reversed {
				stmt = layer[len(layer)-1-i]
			}
			if _, err := conn.ExecContext(ctx, strings.ReplaceAll(stmt, "{s}", prefix)); err != nil {
				t.Fatalf("fixture: %v\n%s", err, stmt)
			}
		}
	}
}

// read reads the schema through q, failing the test on an error.
func read(t testing.TB, q dialect.Execer, skip func(string, string) bool) *schema.Snapshot {
	t.Helper()
	snap, err := postgres.New().ReadSchema(context.Background(), q, skip)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// find returns the object kind/name of snap, or nil.
func find(snap *schema.Snapshot, kind schema.Kind, name string) *schema.Object {
	for i, o := range snap.Objects {
		if o.Kind == kind && o.Name == name {
			return &snap.Objects[i]
		}
	}
	return nil
}

// changes lists what differs from a to b, one line per object added
// ("+kind name") or removed ("-kind name") and per attribute changed,
// added or removed ("kind name: key"), sorted. The test's own stand-in
// for schema.Diff, so this package's tests do not wait on it.
func changes(a, b *schema.Snapshot) []string {
	type id struct {
		kind schema.Kind
		name string
	}
	index := func(s *schema.Snapshot) map[id]map[string]string {
		m := map[id]map[string]string{}
		for _, o := range s.Objects {
			attrs := map[string]string{}
			for _, at := range o.Attrs {
				attrs[at.Key] = at.Value
			}
			m[id{o.Kind, o.Name}] = attrs
		}
		return m
	}
	am, bm := index(a), index(b)
	var out []string
	for k, aa := range am {
		ba, ok := bm[k]
		if !ok {
			out = append(out, fmt.Sprintf("-%s %s", k.kind, k.name))
			continue
		}
		for key, v := range aa {
			if w, ok := ba[key]; !ok || w != v {
				out = append(out, fmt.Sprintf("%s %s: %s", k.kind, k.name, key))
			}
		}
		for key := range ba {
			if _, ok := aa[key]; !ok {
				out = append(out, fmt.Sprintf("%s %s: %s", k.kind, k.name, key))
			}
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			out = append(out, fmt.Sprintf("+%s %s", k.kind, k.name))
		}
	}
	slices.Sort(out)
	return out
}

// text prints a snapshot for failure messages.
func text(snap *schema.Snapshot) string {
	var b strings.Builder
	for _, o := range snap.Objects {
		fmt.Fprintf(&b, "%s %s\n", o.Kind, o.Name)
		for _, a := range o.Attrs {
			fmt.Fprintf(&b, "    %s: %s\n", a.Key, a.Value)
		}
	}
	return b.String()
}
