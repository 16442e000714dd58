package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// TestReadSchemaIndexShapes reads indexes of every shape and checks that
// pg_get_indexdef's text is split cleanly into columns and predicate:
// quoted names, INCLUDE, operator classes, collations, storage options,
// NULLS NOT DISTINCT and the ONLY of a partitioned table's index.
func TestReadSchemaIndexShapes(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE SCHEMA "My App"`,
		`CREATE TABLE "My App"."Items" (id int, "Name" text, j jsonb, r int4range, n numeric)`,
		`CREATE TABLE "My App".parts (id int, at date) PARTITION BY RANGE (at)`,
		`CREATE TABLE "My App".parts_1 PARTITION OF "My App".parts FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	type want struct{ method, columns, predicate string }
	cases := []struct {
		index string
		want  want
	}{
		{`ON "My App"."Items" ("Name", id)`, want{"btree", `("Name", id)`, ""}},
		{`ON "My App"."Items" (id) INCLUDE ("Name", n)`, want{"btree", `(id) INCLUDE ("Name", n)`, ""}},
		{`ON "My App"."Items" (id) WHERE "Name" <> 'x WHERE y'`, want{"btree", "(id)", `("Name" <> 'x WHERE y'::text)`}},
		{`ON "My App"."Items" (id DESC NULLS LAST)`, want{"btree", "(id DESC NULLS LAST)", ""}},
		{`ON "My App"."Items" (lower("Name"), id)`, want{"btree", `(lower("Name"), id)`, ""}},
		{`ON "My App"."Items" ("Name" text_pattern_ops)`, want{"btree", `("Name" text_pattern_ops)`, ""}},
		{`ON "My App"."Items" ("Name" COLLATE "C")`, want{"btree", `("Name" COLLATE "C")`, ""}},
		{`ON "My App"."Items" USING gin (j jsonb_path_ops)`, want{"gin", "(j jsonb_path_ops)", ""}},
		{`ON "My App"."Items" USING gist (r)`, want{"gist", "(r)", ""}},
		{`ON "My App"."Items" USING hash ("Name")`, want{"hash", `("Name")`, ""}},
		{`ON "My App"."Items" (id) WITH (fillfactor = 70) WHERE id > 0`, want{"btree", "(id) WITH (fillfactor='70')", "(id > 0)"}},
		{`ON "My App"."Items" (id) NULLS NOT DISTINCT`, want{"btree", "(id) NULLS NOT DISTINCT", ""}},
		{`ON "My App".parts (at)`, want{"btree", "(at)", ""}},
	}
	for i, tc := range cases {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE INDEX i%02d %s", i, tc.index)); err != nil {
			t.Fatalf("%s: %v", tc.index, err)
		}
	}
	snap := read(t, db, nil)
	for i, tc := range cases {
		o := find(snap, schema.KindIndex, fmt.Sprintf(`"My App".i%02d`, i))
		if o == nil {
			t.Errorf("%s: not read", tc.index)
			continue
		}
		var got want
		for _, a := range o.Attrs {
			switch a.Key {
			case "method":
				got.method = a.Value
			case "columns":
				got.columns = a.Value
			case "predicate":
				got.predicate = a.Value
			}
		}
		if got != tc.want {
			t.Errorf("%s: read %+v, want %+v", tc.index, got, tc.want)
		}
	}
	// The partition's own index, made by the partitioned table's.
	if find(snap, schema.KindIndex, `"My App".parts_1_at_idx`) == nil {
		t.Errorf("the partition's index is not read")
	}
}
