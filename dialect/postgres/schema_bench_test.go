package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/schema"
)

// BenchmarkReadSchema1000Tables reads a schema of 1,000 tables, each with
// a primary key, a foreign key, a check, a default and 5 indexes: issue
// 17 asks for under 1 s.
func BenchmarkReadSchema1000Tables(b *testing.B) {
	db := testdb.Postgres(b).Open(b)
	ctx := context.Background()
	const tables, batch = 1000, 100
	// In batches: one transaction creating every table would need more
	// lock slots than max_locks_per_transaction gives.
	for from := 1; from <= tables; from += batch {
		_, err := db.ExecContext(ctx, fmt.Sprintf(`DO $$ BEGIN
FOR i IN %d..%d LOOP
	EXECUTE format('CREATE TABLE t%%s (id bigint PRIMARY KEY, parent bigint REFERENCES t%%s (id),
		a int NOT NULL CHECK (a >= 0), b text, c timestamptz DEFAULT now(), d numeric(12,2), e jsonb)', i, i);
	EXECUTE format('CREATE INDEX t%%s_a ON t%%s (a)', i, i);
	EXECUTE format('CREATE INDEX t%%s_b ON t%%s (lower(b))', i, i);
	EXECUTE format('CREATE INDEX t%%s_c ON t%%s (c DESC)', i, i);
	EXECUTE format('CREATE UNIQUE INDEX t%%s_ab ON t%%s (a, b) WHERE d > 0', i, i);
	EXECUTE format('CREATE INDEX t%%s_e ON t%%s USING gin (e)', i, i);
END LOOP; END $$`, from, from+batch-1))
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	d := postgres.New()
	var snap *schema.Snapshot
	for b.Loop() {
		var err error
		if snap, err = d.ReadSchema(ctx, db, nil); err != nil {
			b.Fatal(err)
		}
	}
	count := map[schema.Kind]int{}
	for _, o := range snap.Objects {
		count[o.Kind]++
	}
	if count[schema.KindTable] != tables || count[schema.KindIndex] != 5*tables {
		b.Fatalf("read %d tables and %d indexes, want %d and %d", count[schema.KindTable], count[schema.KindIndex], tables, 5*tables)
	}
}
