package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/internal/testdb"
)

// BenchmarkReadSchema1000Tables reads a schema of 1,000 tables with 5
// indexes each, created once (MySQL's benchmark, for comparison).
func BenchmarkReadSchema1000Tables(b *testing.B) {
	ctx := context.Background()
	db := testdb.SQLite(b).Open(b)
	const tables = 1000
	var sb strings.Builder
	sb.WriteString("BEGIN;")
	for j := range tables {
		fmt.Fprintf(&sb, `CREATE TABLE t%04d (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	a INTEGER NOT NULL DEFAULT 0, b TEXT DEFAULT 'x' COLLATE NOCASE, c TEXT,
	d REAL NOT NULL CHECK (d >= 0), e TEXT, UNIQUE (a, d)
);
CREATE INDEX t%04d_a ON t%04d (a);
CREATE INDEX t%04d_b ON t%04d (b DESC);
CREATE INDEX t%04d_c ON t%04d (c) WHERE c IS NOT NULL;
CREATE INDEX t%04d_e ON t%04d (lower(e));
`, j, j, j, j, j, j, j, j, j)
	}
	sb.WriteString("COMMIT;")
	if _, err := db.ExecContext(ctx, sb.String()); err != nil {
		b.Fatal(err)
	}
	objects := 0
	for b.Loop() {
		s, err := sqlite.Dialect{}.ReadSchema(ctx, db, nil)
		if err != nil {
			b.Fatal(err)
		}
		objects = len(s.Objects)
	}
	if objects != tables*5 {
		b.Fatalf("read %d objects, want %d", objects, tables*5)
	}
}
