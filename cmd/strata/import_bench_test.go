package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestImportThousandRows times strata import --apply of a goose history
// of 1,000 rows (goose_db_version as goose lays it out, filled directly)
// on every database: the whole process, from start to exit, with the
// conversion, the history read and the 1,000 rows and audit entries
// written in one transaction. The target is under a second; the test
// fails only past a minute: most of the time is writing the 1,000 files
// to disk, which a loaded machine slows down (BenchmarkImportHistory in
// internal/importer times the history part alone).
func TestImportThousandRows(t *testing.T) {
	t.Parallel()
	const n = 1000
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		old := filepath.Join(f.wd, "old")
		files := map[string]string{}
		var rows []string
		for i := 1; i <= n; i++ {
			files[fmt.Sprintf("%05d_t%d.sql", i, i)] = fmt.Sprintf("-- +goose Up\nCREATE TABLE t%d (id int);\n\n-- +goose Down\nDROP TABLE t%d;\n", i, i)
			rows = append(rows, fmt.Sprintf("(%d, %d, TRUE)", i+1, i))
		}
		writeFiles(t, old, files)
		conn := db.Open(t)
		for _, s := range []string{
			"CREATE TABLE goose_db_version (id INT PRIMARY KEY, version_id BIGINT NOT NULL, is_applied BOOLEAN NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
			"INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (1, 0, TRUE)",
			"INSERT INTO goose_db_version (id, version_id, is_applied) VALUES " + strings.Join(rows, ", "),
		} {
			if _, err := conn.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		r := f.run(db.URL, "import", "goose", "--from", old, "--apply", "--json")
		took := time.Since(start)
		want(t, r, 0)
		if doc := parseImport(t, r); len(doc.Recorded) != n {
			t.Fatalf("recorded %d rows, want %d", len(doc.Recorded), n)
		}
		t.Logf("strata import goose --apply of %d rows on %s: %s", n, dbKind(db), took.Round(time.Millisecond))
		if took > time.Minute {
			t.Errorf("importing %d rows took %s (target: under 1 s)", n, took)
		}
		if st := f.status(db.URL); len(st.Migrations) != n || st.Pending != 0 {
			t.Fatalf("after the import: %d migrations, %d pending", len(st.Migrations), st.Pending)
		}
	})
}
