package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver testdb opens

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// benchTenants is the fleet size of the benchmarks: schemas of one
// PostgreSQL database (bench/run.sh's fleet workload has 1,000).
const benchTenants = 50

// tenantFolder is 20 small files: five times a table, its rows, an index,
// a new column and its backfill (bench/run.sh's gen_fleet).
func tenantFolder(tb testing.TB) *source.Dir {
	fsys := fstest.MapFS{}
	for g := 1; g <= 5; g++ {
		n := (g - 1) * 4
		add := func(i int, name, text string) {
			fsys[fmt.Sprintf("%05d_%s%d.sql", n+i, name, g)] = &fstest.MapFile{Data: []byte(text)}
		}
		add(1, "table", fmt.Sprintf("CREATE TABLE t%d (id int PRIMARY KEY, name varchar(64) NOT NULL, kind varchar(16));\n", g))
		add(2, "rows", fmt.Sprintf("INSERT INTO t%d VALUES (1, 'one', 'a'), (2, 'two', 'b'), (3, 'three', 'a');\nINSERT INTO t%d VALUES (4, 'four', 'c');\n", g, g))
		add(3, "index", fmt.Sprintf("CREATE INDEX t%d_name ON t%d (name);\n", g, g))
		add(4, "column", fmt.Sprintf("ALTER TABLE t%d ADD COLUMN note varchar(100);\nUPDATE t%d SET note = 'backfilled' WHERE kind = 'a';\n", g, g))
	}
	dir, err := source.Load(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// schemaFleet makes n empty tenant schemas on db (dropping any left) and
// returns their targets, each a Migrator on the one shared pool, as
// strata up --targets-schemas builds them.
func schemaFleet(tb testing.TB, db *sql.DB, dir *source.Dir, n int) []Target {
	var reset strings.Builder
	targets := make([]Target, n)
	for i := range n {
		name := fmt.Sprintf("tenant_%04d", i)
		fmt.Fprintf(&reset, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s;\n", name, name)
		table, session, err := SchemaSettings(postgres.New(), name, strata.DefaultTable)
		if err != nil {
			tb.Fatal(err)
		}
		opts := []strata.Option{strata.WithTable(table), strata.WithSessionSQL(session), strata.WithTenantSchema(name), strata.WithSharedPool(true)}
		targets[i] = Target{Name: name, Open: func(context.Context) (*strata.Migrator, io.Closer, error) {
			m, err := strata.NewFromDir(db, postgres.New(), dir, opts...)
			return m, io.NopCloser(nil), err
		}}
	}
	if _, err := db.Exec(reset.String()); err != nil {
		tb.Fatal(err)
	}
	return targets
}

// BenchmarkFleetUp brings benchTenants schemas from nothing to 20 files,
// 4 at a time, on one shared pool; the reset between rounds is not timed.
func BenchmarkFleetUp(b *testing.B) {
	d := testdb.Postgres(b)
	db := d.Open(b)
	db.SetMaxIdleConns(5)
	dir := tenantFolder(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		targets := schemaFleet(b, db, dir, benchTenants)
		b.StartTimer()
		out := Run(ctx, targets, Options{Parallel: 4}, Up(strata.PlanOptions{}))
		if ok, failed, _ := Count(out); ok != benchTenants {
			b.Fatalf("%d ok, %d failed: %v", ok, failed, out[0].Err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchTenants)/1000, "ms/target")
}

// BenchmarkFleetStatus reads the status of benchTenants up-to-date
// schemas, 4 at a time, on one shared pool.
func BenchmarkFleetStatus(b *testing.B) {
	d := testdb.Postgres(b)
	db := d.Open(b)
	db.SetMaxIdleConns(5)
	dir := tenantFolder(b)
	ctx := context.Background()
	targets := schemaFleet(b, db, dir, benchTenants)
	if ok, _, _ := Count(Run(ctx, targets, Options{Parallel: 4}, Up(strata.PlanOptions{}))); ok != benchTenants {
		b.Fatal("setup: up failed")
	}
	for b.Loop() {
		out := Run(ctx, targets, Options{Parallel: 4}, Status())
		for _, o := range out {
			if o.Err != nil || o.Status == nil || o.Status.Pending != 0 || o.Status.Current.String() != "20" {
				b.Fatalf("%s: %+v", o.Target.Name, o)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchTenants)/1000, "ms/target")
}
