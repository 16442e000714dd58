package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/importer"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/source"
)

// BenchmarkImportHistory times taking over a goose history of 1,000 rows
// on each database: reading goose_db_version, matching it with the
// converted folder, and Migrator.Import writing the 1,000 rows and audit
// entries in one transaction under the lock (the files are not written:
// strata import writes them once, a cost of the disk, not of the import).
func BenchmarkImportHistory(b *testing.B) {
	const n = 1000
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			tdb := testdb.New(b, kind)
			db, d, err := config.Open(ctx, tdb.URL)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			src := fstest.MapFS{}
			rows := []string{"(1, 0, TRUE)"}
			for i := 1; i <= n; i++ {
				src[fmt.Sprintf("%05d_t%d.sql", i, i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf("-- +goose Up\nCREATE TABLE t%d (id int);\n", i))}
				rows = append(rows, fmt.Sprintf("(%d, %d, TRUE)", i+1, i))
			}
			for _, s := range []string{
				"CREATE TABLE goose_db_version (id INT PRIMARY KEY, version_id BIGINT NOT NULL, is_applied BOOLEAN NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
				"INSERT INTO goose_db_version (id, version_id, is_applied) VALUES " + strings.Join(rows, ", "),
			} {
				if _, err := db.ExecContext(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
			conv, err := importer.Convert(importer.Goose, src, importer.ConvertOptions{})
			if err != nil {
				b.Fatal(err)
			}
			files := fstest.MapFS{}
			for _, f := range conv.Files {
				files[f.UpName()] = &fstest.MapFile{Data: f.Up}
			}
			dir, err := source.LoadWith(files, source.LoadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			m, err := strata.NewFromDir(db, d, dir)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for _, s := range []string{"DROP TABLE IF EXISTS strata_schema_history", "DROP TABLE IF EXISTS strata_schema_history_audit"} {
					if _, err := db.ExecContext(ctx, s); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				t, err := importer.FindTable(ctx, db, d, importer.Goose, "")
				if err != nil {
					b.Fatal(err)
				}
				h, err := importer.ReadHistory(ctx, db, d, importer.Goose, t)
				if err != nil {
					b.Fatal(err)
				}
				match, err := importer.MatchHistory(conv, h)
				if err != nil {
					b.Fatal(err)
				}
				plan := strata.ImportPlan{Tool: "goose"}
				for _, r := range match.Applied() {
					v, _ := source.ParseVersion(r.File.Version)
					plan.Entries = append(plan.Entries, strata.ImportEntry{Version: v, AppliedAt: r.AppliedAt, Detail: r.Why})
				}
				res, err := m.Import(ctx, plan)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Recorded) != n {
					b.Fatalf("recorded %d rows, want %d", len(res.Recorded), n)
				}
			}
		})
	}
}
