package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/internal/testdb"
)

// BenchmarkReadSchema1000Tables reads a schema of 1,000 tables with 5
// indexes each (and a primary key), created once. The target is
// under 1 s per read.
func BenchmarkReadSchema1000Tables(b *testing.B) {
	ctx := context.Background()
	db := testdb.MySQL(b).Open(b)
	const tables, batch = 1000, 50
	for i := 0; i < tables; i += batch {
		var sb strings.Builder
		for j := i; j < i+batch; j++ {
			fmt.Fprintf(&sb, `CREATE TABLE t%04d (
	id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
	a int NOT NULL DEFAULT 0, b varchar(100) DEFAULT 'x', c datetime NULL,
	d decimal(10,2) NOT NULL, e text,
	KEY t%04d_a (a), KEY t%04d_b (b), KEY t%04d_c (c), UNIQUE KEY t%04d_ad (a, d), KEY t%04d_e (e(20))
) ENGINE=InnoDB;`, j, j, j, j, j, j)
		}
		if _, err := db.ExecContext(ctx, sb.String()); err != nil {
			b.Fatal(err)
		}
	}
	objects := 0
	for b.Loop() {
		s, err := mysql.Dialect{}.ReadSchema(ctx, db, nil)
		if err != nil {
			b.Fatal(err)
		}
		objects = len(s.Objects)
	}
	if objects != tables*6 {
		b.Fatalf("read %d objects, want %d", objects, tables*6)
	}
}
