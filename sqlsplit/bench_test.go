package sqlsplit

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// pgBenchInput is PostgreSQL-style migration SQL: a PL/pgSQL function, a
// table, many multi-row INSERTs and comments, repeated reps times.
func pgBenchInput(reps int) string {
	var b strings.Builder
	for r := range reps {
		fmt.Fprintf(&b, `-- migration %d: accounts; it's generated
CREATE OR REPLACE FUNCTION bump_%d(acc bigint) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  q text := $q$UPDATE accounts SET n = n + 1 WHERE id = $1$q$;
BEGIN
  EXECUTE q USING acc; -- bump; once
  RAISE NOTICE 'bumped %%; ok', acc;
END;
$fn$;
CREATE TABLE IF NOT EXISTS "accounts_%d" (id bigint PRIMARY KEY, name text, note text DEFAULT E'it\'s');
`, r, r, r)
		for i := range 40 {
			fmt.Fprintf(&b, "INSERT INTO accounts_%d (id, name, note) VALUES (%d, 'user %d; \"quoted\"', 'a''b'), (%d, 'x', NULL);\n", r, 2*i, i, 2*i+1)
		}
	}
	return b.String()
}

// mysqlBenchInput is MySQL-style SQL: a stored procedure without
// DELIMITER, one with DELIMITER //, and many INSERTs, repeated reps times.
func mysqlBenchInput(reps int) string {
	var b strings.Builder
	for r := range reps {
		fmt.Fprintf(&b, `# migration %d
CREATE PROCEDURE fill_%d(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  lbl: WHILE i < n DO
    IF i %% 2 = 0 THEN INSERT INTO t VALUES (i, 'even; \'e\''); ELSE INSERT INTO t VALUES (i, CASE WHEN i > 5 THEN 'big' ELSE 'odd' END); END IF;
    SET i = i + 1;
  END WHILE lbl;
END;
DELIMITER //
CREATE TRIGGER trg_%d BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.v = UPPER(NEW.v); END //
DELIMITER ;
`, r, r, r)
		for i := range 40 {
			fmt.Fprintf(&b, "INSERT INTO `t_%d` (id, v) VALUES (%d, 'it\\'s; %d'), (%d, \"x\"); -- row %d\n", r, 2*i, i, 2*i+1, i)
		}
	}
	return b.String()
}

func sqliteBenchInput(reps int) string {
	var b strings.Builder
	for r := range reps {
		fmt.Fprintf(&b, `CREATE TRIGGER IF NOT EXISTS tr_%d AFTER INSERT ON t BEGIN
  UPDATE t SET v = CASE WHEN NEW.id > 3 THEN 'big; one' ELSE [v] END WHERE id = NEW.id;
END;
`, r)
		for i := range 40 {
			fmt.Fprintf(&b, "INSERT INTO [t %d] (id, v) VALUES (%d, 'x''y; %d'), (%d, \"z\");\n", r, 2*i, i, 2*i+1)
		}
	}
	return b.String()
}

func BenchmarkScanner(b *testing.B) {
	for _, c := range []struct {
		d   Dialect
		src string
	}{
		{Postgres, pgBenchInput(200)},
		{MySQL, mysqlBenchInput(200)},
		{SQLite, sqliteBenchInput(200)},
	} {
		b.Run(c.d.String(), func(b *testing.B) {
			sts, err := Split(c.src, Options{Dialect: c.d})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(c.src)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				s := NewScanner(strings.NewReader(c.src), Options{Dialect: c.d})
				for {
					if _, err := s.Next(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/float64(len(sts)), "allocs/stmt")
		})
	}
}
