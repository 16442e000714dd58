package strata_test

import (
	"context"
	"fmt"
	"strings"
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

// BenchmarkApplyLargeFile measures applying one data file of about 8 MB
// of 1,000-row INSERTs (bench/run.sh's data workload, smaller) in a
// transaction, which strata sends in batches of statements, per database
// that can batch; MB/s is the file's bytes over the run's time, and ms
// the time of one run.
func BenchmarkApplyLargeFile(b *testing.B) {
	var sb strings.Builder
	id := 0
	for sb.Len() < 8<<20 {
		sb.WriteString("INSERT INTO d VALUES ")
		for r := range 1000 {
			id++
			if r > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, 'name-%d', 'the quick brown fox jumps over the lazy dog %d')", id, id, id)
		}
		sb.WriteString(";\n")
	}
	fsys := fstest.MapFS{
		"0001_create.sql": {Data: []byte("CREATE TABLE d (id bigint, name varchar(64), note text);\n")},
		"0002_data.sql":   {Data: []byte(sb.String())},
	}
	size := float64(sb.Len())
	for _, kind := range []string{"postgres", "mysql"} {
		b.Run(kind, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				b.StopTimer()
				db := testdb.New(b, kind)
				sqlDB := db.Open(b)
				m := newMigrator(b, db, sqlDB, fsys)
				b.StartTimer()
				res, err := m.Up(context.Background(), strata.PlanOptions{})
				if err != nil || len(res.Applied) != 2 {
					b.Fatalf("up: %v", err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms")
		})
	}
}
