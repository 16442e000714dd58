package sqlsplit

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestGoldenOnServers executes, statement by statement, every golden
// input whose first line is "-- exec" on a server of its dialect: proof
// that the scanner's statements are what the servers accept, which a
// golden file alone cannot show. Creating a database is slow on a busy
// PostgreSQL server (about 3 s each on a loaded 2-core machine), so each
// folder of server inputs gets one database, and each input a clean namespace in
// it (see isolate); SQLite files cost nothing and stay one per input.
func TestGoldenOnServers(t *testing.T) {
	byDir := map[string][]goldenInput{}
	for _, in := range goldenInputs(t) {
		if in.exec {
			byDir[in.dir] = append(byDir[in.dir], in)
		}
	}
	for _, gd := range goldenDialects {
		t.Run(gd.dir, func(t *testing.T) {
			t.Parallel()
			if len(byDir[gd.dir]) == 0 {
				t.Fatalf("no executable golden inputs for %s", gd.dir)
			}
			var shared testdb.DB
			switch gd.d {
			case Postgres:
				shared = testdb.Postgres(t)
			case MySQL:
				shared = testdb.MySQL(t)
			}
			for i, in := range byDir[gd.dir] {
				t.Run(in.name[len(gd.dir)+1:], func(t *testing.T) {
					db := shared
					if gd.d == SQLite {
						db = testdb.SQLite(t)
					}
					execAll(t, db, in, i)
				})
			}
		})
	}
}

// execAll runs each statement of in on one pinned connection to db, a
// connection of its own (closed afterwards, with whatever session state
// the input left) in a namespace of its own (isolate). i numbers the input.
func execAll(t *testing.T, db testdb.DB, in goldenInput, i int) {
	t.Helper()
	sts, _, err := scanAll(bytes.NewReader(in.src), Options{Dialect: in.d, Backslash: in.bs})
	if err != nil {
		t.Fatalf("%s: %v", in.path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := db.Open(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	isolate(ctx, t, conn, in.d, i)
	if in.session != "" {
		if _, err := conn.ExecContext(ctx, in.session); err != nil {
			t.Fatalf("%s: %v", in.session, err)
		}
	}
	for i, st := range sts {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			t.Fatalf("%s:%d:%d: statement %d failed on the server: %v\n%s", in.path, st.Line, st.Col, i+1, err, st.Text)
		}
	}
}

// isolate gives input number i a clean namespace in the shared database
// on conn: on PostgreSQL a schema of its own first on the search path; on
// MySQL, where a schema is a database, the database emptied of what the
// inputs before it created.
func isolate(ctx context.Context, t *testing.T, conn *sql.Conn, d Dialect, i int) {
	t.Helper()
	var setup []string
	switch d {
	case Postgres:
		schema := fmt.Sprintf("golden_%d", i)
		setup = []string{"CREATE SCHEMA " + schema, "SET search_path TO " + schema}
	case MySQL:
		rows, err := conn.QueryContext(ctx, `
SELECT CONCAT('DROP ', IF(table_type = 'VIEW', 'VIEW', 'TABLE'), ' `+"`"+`', table_name, '`+"`"+`') FROM information_schema.tables WHERE table_schema = DATABASE()
UNION ALL SELECT CONCAT('DROP ', routine_type, ' `+"`"+`', routine_name, '`+"`"+`') FROM information_schema.routines WHERE routine_schema = DATABASE()
UNION ALL SELECT CONCAT('DROP EVENT `+"`"+`', event_name, '`+"`"+`') FROM information_schema.events WHERE event_schema = DATABASE()`)
		if err != nil {
			t.Fatalf("isolate: list what earlier inputs left: %v", err)
		}
		setup = []string{"SET FOREIGN_KEY_CHECKS = 0"}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			setup = append(setup, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		setup = append(setup, "SET FOREIGN_KEY_CHECKS = 1")
	}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("isolate: %s: %v", s, err)
		}
	}
}
