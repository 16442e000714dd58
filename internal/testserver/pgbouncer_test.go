package testserver

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// TestPgBouncer: the private PgBouncer answers, in transaction mode: two
// transactions on one client connection may run on different backends,
// which a session of its own never does.
func TestPgBouncer(t *testing.T) {
	s := PgBouncer(t, PoolerOptions{})
	db := s.Database(t)
	cfg, err := pgx.ParseConfig(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	pool := stdlib.OpenDB(*cfg)
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pid := func(c *sql.Conn) int {
		var p int
		if err := c.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// PgBouncer hands out the server connection released last: b's
	// statement lands on the backend a just used.
	if pa, pb := pid(a), pid(b); pa != pb {
		t.Fatalf("two client connections ran on backends %d and %d: PgBouncer is not in transaction mode", pa, pb)
	}
	var name string
	if err := a.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil || name != db.Name {
		t.Fatalf("current_database() = %q, %v; want %s", name, err, db.Name)
	}
	if s.Direct(db) == db.URL {
		t.Fatalf("Direct(%s) is the pooled URL", db.URL)
	}
}
