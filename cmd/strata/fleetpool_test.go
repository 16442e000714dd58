package main

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/strata-db/strata/internal/testdb"
)

// TestFleetSchemasOwnSnapshot: each tenant's schema snapshot holds its own
// schema only, so migrating the other tenants is not drift for it. Before,
// tenant_a's snapshot held tenant_b as it was then, and the next release's
// DDL file was refused on tenant_a once tenant_b had moved on.
func TestFleetSchemasOwnSnapshot(t *testing.T) {
	t.Parallel()
	d := testdb.Postgres(t)
	db := d.Open(t)
	for _, s := range []string{"tenant_a", "tenant_b"} {
		if _, err := db.Exec("CREATE SCHEMA " + s); err != nil {
			t.Fatal(err)
		}
	}
	f := newFolder(t)
	f.write("0001_a.sql", "CREATE TABLE a (id int);\n")
	// One at a time: tenant_a's snapshot is taken before tenant_b has a.
	want(t, f.run(d.URL, "up", "--targets-schemas", "tenant\\_%", "--parallel", "1"), 0)
	f.write("0002_b.sql", "CREATE TABLE b (id int);\n")
	want(t, f.run(d.URL, "up", "--targets-schemas", "tenant\\_%", "--parallel", "1"), 0, "2 targets: 2 ok")
	for _, s := range []string{"tenant_a", "tenant_b"} {
		if got := historyVersions(t, db, s+".strata_schema_history"); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("%s: history %v", s, got)
		}
	}
}

// TestFleetSchemasSharedPool: the targets of --targets-schemas share one
// connection pool, so the fleet opens about --parallel server sessions,
// not one or more per target, and each target still works in its own
// schema on connections the others used.
func TestFleetSchemasSharedPool(t *testing.T) {
	t.Parallel()
	d := testdb.Postgres(t)
	db := d.Open(t)
	db.SetMaxOpenConns(1)
	const n, parallel = 12, 3
	for i := range n {
		if _, err := db.Exec(fmt.Sprintf("CREATE SCHEMA tenant_%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	f := newFolder(t)
	f.write("0001_users.sql", "CREATE TABLE users (id int);\n")
	f.write("0002_seed.sql", "INSERT INTO users VALUES (1);\n")
	f.write("0003_index.sql", "CREATE INDEX users_id ON users (id);\n")
	before := sessions(t, db, d.Name, -1)
	want(t, f.run(d.URL, "up", "--targets-schemas", "tenant\\_%", "--parallel", fmt.Sprint(parallel)), 0, "12 targets: 12 ok")
	after := sessions(t, db, d.Name, before)
	// One to list the schemas, two for the pooler probe, the workers'
	// connections and a spare; before, two or three a target.
	if got := after - before; got < 1 || got > parallel+5 {
		t.Errorf("up over %d schemas opened %d sessions; want at most %d", n, got, parallel+5)
	}
	for i := range n {
		s := fmt.Sprintf("tenant_%02d", i)
		if got := historyVersions(t, db, s+".strata_schema_history"); !slices.Equal(got, []string{"1", "2", "3"}) {
			t.Errorf("%s: history %v", s, got)
		}
		var rows int
		if err := db.QueryRow("SELECT count(*) FROM " + s + ".users").Scan(&rows); err != nil || rows != 1 {
			t.Errorf("%s: users has %d rows, %v", s, rows, err)
		}
	}
	want(t, f.run(d.URL, "status", "--targets-schemas", "tenant\\_%", "--parallel", fmt.Sprint(parallel)), 0, "12 at version 3")
	if got := sessions(t, db, d.Name, after) - after; got < 1 || got > parallel+5 {
		t.Errorf("status over %d schemas opened %d sessions; want at most %d", n, got, parallel+5)
	}
}

// sessions reads pg_stat_database.sessions of database name, waiting
// (up to 5 s) for it to move past prev and settle: the server counts a
// session when its backend reports its statistics.
func sessions(t *testing.T, db *sql.DB, name string, prev int) int {
	t.Helper()
	last := -1
	for deadline := time.Now().Add(5 * time.Second); ; {
		var n int
		if err := db.QueryRow("SELECT sessions FROM pg_stat_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == last && n > prev || time.Now().After(deadline) {
			return n
		}
		last = n
		time.Sleep(300 * time.Millisecond)
	}
}
