package postgres_test

import (
	"context"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// TestReadSchemaEachKindAlone: ReadSchema asks first which kinds of
// object exist and reads only those; each kind, alone in its database
// (no table to make the other queries run), is still read.
func TestReadSchemaEachKindAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ddl  string
		kind schema.Kind
		obj  string
	}{
		{"enum", "CREATE TYPE mood AS ENUM ('sad', 'ok')", schema.KindType, "public.mood"},
		{"composite", "CREATE TYPE pair AS (a int, b text)", schema.KindType, "public.pair"},
		{"range", "CREATE TYPE span AS RANGE (subtype = int4)", schema.KindType, "public.span"},
		{"domain", "CREATE DOMAIN posint AS int CHECK (VALUE > 0)", schema.KindDomain, "public.posint"},
		{"sequence", "CREATE SEQUENCE counter", schema.KindSequence, "public.counter"},
		{"view", "CREATE VIEW answer AS SELECT 42 AS n", schema.KindView, "public.answer"},
		{"materialized view", "CREATE MATERIALIZED VIEW answers AS SELECT 42 AS n", schema.KindMaterializedView, "public.answers"},
		{"function", "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'", schema.KindFunction, "public.one()"},
		{"procedure", "CREATE PROCEDURE nothing() LANGUAGE sql AS 'SELECT 1'", schema.KindProcedure, "public.nothing()"},
		{"index", "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a)", schema.KindIndex, "public.t_a"},
		{"trigger", `CREATE TABLE t (a int);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch()`, schema.KindTrigger, "public.t.t_touch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.Postgres(t).Open(t)
			if _, err := db.ExecContext(context.Background(), tc.ddl); err != nil {
				t.Fatal(err)
			}
			snap := read(t, db, nil)
			if find(snap, tc.kind, tc.obj) == nil {
				t.Errorf("%s %s not read; the snapshot has %v", tc.kind, tc.obj, snap.Objects)
			}
		})
	}
}
