package strata_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// oneInsertFiles returns n+1 migrations: a CREATE TABLE and n one-INSERT
// files, the workload of the per-file overhead target.
func oneInsertFiles(n int) fstest.MapFS {
	fsys := fstest.MapFS{"00000_create.sql": {Data: []byte("CREATE TABLE t (id int);\n")}}
	for i := 1; i <= n; i++ {
		fsys[fmt.Sprintf("%05d_insert.sql", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf("INSERT INTO t VALUES (%d);\n", i))}
	}
	return fsys
}

// BenchmarkApplyFiles measures applying 200 one-INSERT files with a
// transaction per file and full history bookkeeping, per database; ns/op
// is per run of 200 files, and the ms/file metric is the cost of one file.
func BenchmarkApplyFiles(b *testing.B) {
	const n = 200
	fsys := oneInsertFiles(n)
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := testdb.New(b, kind)
				sqlDB := db.Open(b)
				m := newMigrator(b, db, sqlDB, fsys)
				b.StartTimer()
				res, err := m.Up(context.Background(), strata.PlanOptions{})
				if err != nil || len(res.Applied) != n+1 {
					b.Fatalf("up: %v", err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(n+1), "ms/file")
		})
	}
}
