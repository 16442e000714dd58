package dialecttest

import (
	"context"
	"slices"
	"testing"

	"github.com/strata-db/strata/dialect"
)

// runQueryChecker checks dialect.QueryChecker: a query that names a
// missing column does not prepare and the others do, each with its own
// result, and Columns tells required columns (NOT NULL, no default, not
// generated or auto-numbered) from the rest, and a missing table.
func runQueryChecker(t *testing.T, env Env) {
	qc, ok := env.Dialect.(dialect.QueryChecker)
	if !ok {
		t.Skip("the dialect cannot check queries")
	}
	d, db := env.Dialect, env.DB
	ctx := context.Background()
	tb := d.QuoteIdent("compat_probe")
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+tb+" (id int NOT NULL, name varchar(20) NOT NULL, note varchar(20), score int NOT NULL DEFAULT 0)"); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	errs, err := qc.Prepare(ctx, conn, []string{
		"SELECT id, name FROM " + tb + " WHERE id = " + d.Placeholder(1),
		"SELECT id, gone FROM " + tb,
		"INSERT INTO " + tb + " (id, name) VALUES (" + d.Placeholder(1) + ", " + d.Placeholder(2) + ")",
	})
	if err != nil || len(errs) != 3 {
		t.Fatalf("Prepare: %v, %d results", err, len(errs))
	}
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("good queries did not prepare: %v, %v", errs[0], errs[2])
	}
	if _, _, ok := d.ServerError(errs[1]); !ok {
		t.Errorf("a query of a missing column: %v, want a server error", errs[1])
	}
	cols, err := qc.Columns(ctx, conn, dialect.Table{Name: "compat_probe"})
	var required []string
	for _, c := range cols {
		if c.Required {
			required = append(required, c.Name)
		}
	}
	if err != nil || len(cols) != 4 || !slices.Equal(required, []string{"id", "name"}) {
		t.Errorf("Columns = %+v, %v; want 4 columns, id and name required", cols, err)
	}
	if cols, err := qc.Columns(ctx, conn, dialect.Table{Name: "no_such_table_here"}); err != nil || cols != nil {
		t.Errorf("Columns of a missing table = %+v, %v; want nil", cols, err)
	}
}
