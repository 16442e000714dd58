package postgres_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testdb"
)

// TestReadSchemaChanges changes one object by hand, the way a hot fix
// does, and checks that exactly that object's attribute changed. Each
// change runs in a transaction that is rolled back, and is read inside it.
func TestReadSchemaChanges(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	createFixture(t, db, false)
	base := read(t, db, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"alter column type", []string{`ALTER TABLE app.users ALTER COLUMN updated_at TYPE timestamp`},
			[]string{"table app.users: column updated_at"}},
		{"default changed", []string{`ALTER TABLE app.users ALTER COLUMN score SET DEFAULT 5`},
			[]string{"table app.users: column score"}},
		{"not null dropped", []string{`ALTER TABLE app.users ALTER COLUMN email DROP NOT NULL`},
			[]string{"table app.users: column email"}},
		{"column added", []string{`ALTER TABLE app.users ADD COLUMN nickname text`},
			[]string{"table app.users: column nickname"}},
		{"check added", []string{`ALTER TABLE app.users ADD CONSTRAINT users_score_check CHECK (score >= 0)`},
			[]string{"table app.users: check users_score_check"}},
		{"foreign key changed", []string{`ALTER TABLE app.orders DROP CONSTRAINT orders_user_fk`,
			`ALTER TABLE app.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES app.users (id)`},
			[]string{"table app.orders: foreign key orders_user_fk"}},
		{"table comment", []string{`COMMENT ON TABLE app.users IS 'customers'`},
			[]string{"table app.users: comment"}},
		{"partition added", []string{`CREATE TABLE app.events_2027 PARTITION OF app.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')`},
			[]string{"+table app.events_2027"}},
		{"new index", []string{`CREATE INDEX orders_user_idx ON app.orders (user_id)`},
			[]string{"+index app.orders_user_idx"}},
		{"index predicate", []string{`DROP INDEX app.orders_total_idx`, `CREATE INDEX orders_total_idx ON app.orders (total DESC) WHERE total > 10`},
			[]string{"index app.orders_total_idx: predicate"}},
		{"index columns", []string{`DROP INDEX app.users_email_hash`, `CREATE INDEX users_email_hash ON app.users USING hash (name)`},
			[]string{"index app.users_email_hash: columns"}},
		{"function body", []string{`CREATE OR REPLACE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT a + b + 0 $$`},
			[]string{"function app.add(integer, integer): body"}},
		{"function security", []string{`ALTER FUNCTION app.touch() SECURITY INVOKER`},
			[]string{"function app.touch(): security definer"}},
		{"procedure body", []string{`CREATE OR REPLACE PROCEDURE app.noop(n int) LANGUAGE sql BEGIN ATOMIC SELECT n + 1; END`},
			[]string{"procedure app.noop(integer): body"}},
		{"view replaced", []string{`CREATE OR REPLACE VIEW app.active_users AS SELECT id, email FROM app.users WHERE mood = 'happy'`},
			[]string{"view app.active_users: definition"}},
		{"materialized view replaced", []string{`DROP MATERIALIZED VIEW app.order_totals`,
			`CREATE MATERIALIZED VIEW app.order_totals AS SELECT user_id, count(*) AS total FROM app.orders GROUP BY user_id`},
			[]string{"materialized view app.order_totals: definition"}},
		{"enum value added", []string{`ALTER TYPE app.mood ADD VALUE 'angry'`},
			[]string{"type app.mood: enum"}},
		{"composite attribute added", []string{`ALTER TYPE app.pair ADD ATTRIBUTE c int`},
			[]string{"type app.pair: attribute c"}},
		{"domain default", []string{`ALTER DOMAIN app.posint SET DEFAULT 2`},
			[]string{"domain app.posint: default"}},
		{"domain check", []string{`ALTER DOMAIN app.posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000)`},
			[]string{"domain app.posint: check posint_small"}},
		{"sequence increment", []string{`ALTER SEQUENCE app.counter INCREMENT 10`},
			[]string{"sequence app.counter: increment"}},
		{"trigger disabled", []string{`ALTER TABLE app.users DISABLE TRIGGER users_touch`},
			[]string{"trigger app.users.users_touch: enabled"}},
		{"trigger replaced", []string{`DROP TRIGGER users_touch ON app.users`,
			`CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()`},
			[]string{"trigger app.users.users_touch: definition"}},
		{"schema added", []string{`CREATE SCHEMA billing`}, []string{"+schema billing"}},
		{"extension added", []string{`CREATE EXTENSION pg_trgm SCHEMA public`}, []string{"+extension pg_trgm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			for _, stmt := range tc.stmts {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if got := changes(base, read(t, tx, nil)); !slices.Equal(got, tc.want) {
				t.Errorf("changes = %q, want %q", got, tc.want)
			}
		})
	}
	if got := read(t, db, nil); !reflect.DeepEqual(got, base) {
		t.Errorf("after the rollbacks the snapshot differs: %q", changes(base, got))
	}
}

// TestReadSchemaIgnoresDataAndStatistics runs what changes data,
// statistics and sequence positions but not the schema: the snapshot
// stays the same.
func TestReadSchemaIgnoresDataAndStatistics(t *testing.T) {
	t.Parallel()
	d := testdb.Postgres(t)
	db := d.Open(t)
	createFixture(t, db, false)
	base := read(t, db, nil)
	for _, tc := range []struct {
		name  string
		stmts []string
	}{
		{"rows inserted", []string{
			`INSERT INTO app.users (email, name) SELECT 'u' || g || '@example.com', 'n' || g FROM generate_series(1, 2000) g`,
			`INSERT INTO app.orders (user_id, total) SELECT id, id % 7 FROM app.users`,
			`INSERT INTO app.events VALUES (1, '2026-05-01')`}},
		{"rows updated and deleted", []string{`UPDATE app.users SET score = 1 WHERE id % 2 = 0`, `DELETE FROM app.orders WHERE total = 0`}},
		{"analyze", []string{`ANALYZE`}},
		{"vacuum", []string{`VACUUM (ANALYZE) app.users`, `VACUUM FULL app.orders`}},
		{"sequences advanced", []string{`SELECT nextval('app.counter')`, `SELECT setval('app.orders_id_seq', 5000)`}},
		{"materialized view refreshed", []string{`REFRESH MATERIALIZED VIEW app.order_totals`}},
		{"index rebuilt", []string{`REINDEX TABLE app.users`}},
		{"extended statistics reset", []string{`SELECT pg_stat_reset()`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, stmt := range tc.stmts {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if got := read(t, db, nil); !reflect.DeepEqual(got, base) {
				t.Errorf("snapshot changed: %q", changes(base, got))
			}
		})
	}
	// A new session with another search_path reads the same.
	other := testdb.DB{DriverName: d.DriverName, DSN: d.DSN + "&search_path=app"}.Open(t)
	if got := read(t, other, nil); !reflect.DeepEqual(got, base) {
		t.Errorf("another session with search_path app: snapshot changed: %q", changes(base, got))
	}
}

// TestReadSchemaSkip leaves strata's own tables out with their
// constraints, indexes, triggers and owned sequences, and nothing else.
func TestReadSchemaSkip(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	createFixture(t, db, false)
	without := read(t, db, nil)
	history := dialect.Table{Schema: "public", Name: "strata_history"}
	for _, stmt := range append(postgres.New().HistoryDDL(history),
		`CREATE INDEX strata_history_version ON public.strata_history (version)`,
		`ALTER TABLE public.strata_history ADD COLUMN updated_at timestamptz`,
		`CREATE TRIGGER strata_touch BEFORE UPDATE ON public.strata_history FOR EACH ROW EXECUTE FUNCTION app.touch()`,
		`CREATE SEQUENCE public.strata_counter OWNED BY public.strata_history.statements_total`,
	) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	strata := func(schemaName, table string) bool {
		return schemaName == "public" && strings.HasPrefix(table, "strata_history")
	}
	for _, tc := range []struct {
		name string
		skip func(string, string) bool
		want []string
	}{
		{"nothing skipped", nil, []string{
			"+index public.strata_history_version",
			"+sequence public.strata_counter",
			"+table public.strata_history",
			"+table public.strata_history_audit",
			"+table public.strata_history_schema",
			"+trigger public.strata_history.strata_touch",
		}},
		{"strata's tables skipped", strata, nil},
		{"another table skipped", func(s, table string) bool { return strata(s, table) || table == "users" }, []string{
			"-index app.users_email_hash",
			"-index app.users_lower_name",
			"-table app.users",
			"-trigger app.users.users_touch",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := changes(without, read(t, db, tc.skip)); !slices.Equal(got, tc.want) {
				t.Errorf("changes = %q, want %q", got, tc.want)
			}
		})
	}
}
