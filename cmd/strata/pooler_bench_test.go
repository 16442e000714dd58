package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// BenchmarkPoolerPerFile is the cost of one small file applied by strata
// up (the binary) directly and through PgBouncer in transaction mode,
// where strata takes the lease lock, sends no named prepared statements
// and resets each file's session inside its transaction: 1,000 files of
// two statements, a fresh database per iteration. Run it with
//
//	go test -run '^$' -bench BenchmarkPoolerPerFile -benchtime 3x ./cmd/strata
//
// and compare the ms/file metrics.
func BenchmarkPoolerPerFile(b *testing.B) {
	const files = 1000
	dir := filepath.Join(b.TempDir(), "migrations")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= files; i++ {
		body := fmt.Sprintf("CREATE TABLE t%d (id int PRIMARY KEY, name text);\nINSERT INTO t%d VALUES (1, 'one');\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d_t%d.sql", i, i)), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, via := range []string{"direct", "pgbouncer"} {
		b.Run(via, func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				var db testdb.DB
				if via == "direct" {
					db = testdb.Postgres(b)
				} else {
					db = pgBouncer.Get(b).Database(b)
				}
				cmd := exec.Command(bin, "up", "--quiet", "--checksum-cache", "off", "--url", db.URL, "--dir", dir)
				cmd.Env = cleanEnv()
				b.StartTimer()
				start := time.Now()
				out, err := cmd.CombinedOutput()
				total += time.Since(start)
				if err != nil {
					b.Fatalf("strata up through %s: %v\n%s", via, err, out)
				}
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N*files), "ms/file")
		})
	}
}
