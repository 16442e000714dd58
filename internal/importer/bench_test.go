package importer

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/sqlsplit"
)

// BenchmarkConvert1000 converts folders of 1,000 migrations.
func BenchmarkConvert1000(b *testing.B) {
	goose, flyway := fstest.MapFS{}, fstest.MapFS{}
	for i := 1; i <= 1000; i++ {
		goose[fmt.Sprintf("%05d_step.sql", i)] = &fstest.MapFile{Data: []byte(gooseFolder["00002_touch_function.sql"])}
		flyway[fmt.Sprintf("V1.%d__step.sql", i)] = &fstest.MapFile{Data: []byte("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n")}
	}
	for _, tc := range []struct {
		tool Tool
		src  fstest.MapFS
	}{{Goose, goose}, {Flyway, flyway}} {
		b.Run(string(tc.tool), func(b *testing.B) {
			for b.Loop() {
				if _, err := Convert(tc.tool, tc.src, ConvertOptions{Dialect: sqlsplit.Postgres}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
