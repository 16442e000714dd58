package strata_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"
	"testing"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// countConnector opens connections of another driver and counts the
// queries and statements sent on them, but for the check MySQL's lock
// makes every second that it still holds its lock (keepalive): it comes
// from a timer, not from the work, and a run that lasts a second longer
// on a busy machine would count one more.
type countConnector struct {
	open func(ctx context.Context) (driver.Conn, error)
	drv  driver.Driver
	n    atomic.Int64
}

func (c *countConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	return &countConn{Conn: conn, n: &c.n}, nil
}

func (c *countConnector) Driver() driver.Driver { return c.drv }

type countConn struct {
	driver.Conn
	n *atomic.Int64
}

// mysqlKeepalive is the query of dialect/mysql's lock keepalive.
const mysqlKeepalive = "SELECT IS_USED_LOCK(?) = CONNECTION_ID()"

func (c *countConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if query != mysqlKeepalive {
		c.n.Add(1)
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *countConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *countConn) Prepare(query string) (driver.Stmt, error) {
	if query != mysqlKeepalive {
		c.n.Add(1)
	}
	return c.Conn.Prepare(query)
}

func (c *countConn) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// countingDB opens db through a countConnector.
func countingDB(t *testing.T, db testdb.DB) (*sql.DB, *atomic.Int64) {
	t.Helper()
	plain := db.Open(t)
	drv := plain.Driver()
	c := &countConnector{drv: drv}
	if dc, ok := drv.(driver.DriverContext); ok {
		conn, err := dc.OpenConnector(db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		c.open = conn.Connect
	} else {
		c.open = func(context.Context) (driver.Conn, error) { return drv.Open(db.DSN) }
	}
	counted := sql.OpenDB(c)
	t.Cleanup(func() { counted.Close() })
	return counted, &c.n
}

// TestStatusOneQuery: the nothing-pending path (Plan) reads the history in
// one query, on a fresh database (the missing table is told from that
// query's error) as on a migrated one, and Status adds only the invalid
// index listing where the dialect has one.
func TestStatusOneQuery(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		sqlDB := db.Open(t)
		counted, n := countingDB(t, db)
		fsys := files("0001_a.sql", "CREATE TABLE a (id int);\n", "0002_b.sql", "CREATE TABLE b (id int);\n")
		m := newMigrator(t, db, counted, fsys)
		if err := counted.PingContext(ctx); err != nil { // connect before counting
			t.Fatal(err)
		}
		// The pooler probe runs once per Migrator, before its first
		// connection: not counted here.
		if _, err := m.Pooler(ctx); err != nil {
			t.Fatal(err)
		}
		extra := int64(0)
		if db.DriverName == "pgx" {
			extra = 1 // the invalid index listing
		}

		n.Store(0)
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.HistoryExists || st.Pending != 2 {
			t.Fatalf("fresh database: history exists %v, pending %d", st.HistoryExists, st.Pending)
		}
		first := int64(0)
		if db.DriverName != "sqlite" {
			first = 1 // the current schema, read once per Migrator for its history table
		}
		if got := n.Load(); got != 1+extra+first {
			t.Errorf("status of a fresh database sent %d queries, want %d", got, 1+extra+first)
		}

		up(t, newMigrator(t, db, sqlDB, fsys))
		n.Store(0)
		p, err := m.Plan(ctx, strata.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Steps) != 0 {
			t.Fatalf("plan has %d steps", len(p.Steps))
		}
		if got := n.Load(); got != 1 {
			t.Errorf("nothing pending: plan sent %d queries, want 1", got)
		}
		n.Store(0)
		st, err = m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.HistoryExists || st.Pending != 0 || len(st.Migrations) != 2 {
			t.Fatalf("migrated: history exists %v, pending %d, %d migrations", st.HistoryExists, st.Pending, len(st.Migrations))
		}
		if got := n.Load(); got != 1+extra {
			t.Errorf("status sent %d queries, want %d", got, 1+extra)
		}
		// A fleet's status: the history only, on every dialect.
		n.Store(0)
		st, err = m.StatusWith(ctx, strata.StatusOptions{SkipInvalidIndexes: true})
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending != 0 || len(st.Migrations) != 2 {
			t.Fatalf("StatusWith: pending %d, %d migrations", st.Pending, len(st.Migrations))
		}
		if got := n.Load(); got != 1 {
			t.Errorf("StatusWith(SkipInvalidIndexes) sent %d queries, want 1", got)
		}

		// A history table without rows exists: no second query to say so.
		if _, err := sqlDB.Exec("DELETE FROM strata_schema_history WHERE kind <> 'layout'"); err != nil {
			t.Fatal(err)
		}
		n.Store(0)
		st, err = m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.HistoryExists || st.Pending != 2 {
			t.Fatalf("emptied history: history exists %v, pending %d", st.HistoryExists, st.Pending)
		}
		if got := n.Load(); got != 1+extra {
			t.Errorf("status of an empty history sent %d queries, want %d", got, 1+extra)
		}
	})
}
