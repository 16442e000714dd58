package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestReadSchemaOf: a read scoped to one schema holds that schema's
// objects (tables, indexes, sequences, views) and none of another's, and
// the unscoped read still holds both.
func TestReadSchemaOf(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t).Open(t)
	for _, s := range []string{"tenant_a", "tenant_b", `tenant_"c"`} {
		q := `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		if _, err := db.Exec("CREATE SCHEMA " + q + "; CREATE TABLE " + q + ".t (id serial PRIMARY KEY, name text); CREATE INDEX t_name ON " + q + ".t (name); CREATE VIEW " + q + ".v AS SELECT id FROM " + q + ".t"); err != nil {
			t.Fatal(err)
		}
	}
	names := func(schemaName string) []string {
		t.Helper()
		c, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		snap, err := New().ReadSchemaOf(context.Background(), c, schemaName, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range snap.Objects {
			out = append(out, string(o.Kind)+" "+o.Name)
		}
		return out
	}
	a := names("tenant_a")
	for _, w := range []string{"schema tenant_a", "table tenant_a.t", "view tenant_a.v", "sequence tenant_a.t_id_seq", "index tenant_a.t_name"} {
		if !slices.Contains(a, w) {
			t.Errorf("tenant_a's read lacks %q: %v", w, a)
		}
	}
	for _, o := range a {
		if slices.Contains([]string{"schema tenant_b", "table tenant_b.t", "schema public"}, o) {
			t.Errorf("tenant_a's read holds %q", o)
		}
	}
	if c := names(`tenant_"c"`); !slices.Contains(c, `table "tenant_""c"""."t"`) && !slices.Contains(c, `table "tenant_""c""".t`) {
		t.Errorf(`tenant_"c"'s read: %v`, c)
	}
	all := names("")
	if !slices.Contains(all, "table tenant_a.t") || !slices.Contains(all, "table tenant_b.t") {
		t.Errorf("unscoped read: %v", all)
	}
}
