// Package dialecttest is the contract every dialect.Dialect must pass,
// run against a real database: quoting of awkward identifiers, the history
// table DDL (idempotent, schema-qualified), table existence, the lock
// (exclusive, timing out with a holder, released), error reading and the
// no-transaction rules, and the optional interfaces it implements (server
// version, schemas, databases, grants, connection errors). Each dialect's
// tests call Run with a fresh database.
package dialecttest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Env is what Run needs from a dialect's test.
type Env struct {
	Dialect dialect.Dialect
	// DB is a fresh, empty database.
	DB *sql.DB
	// Schema is a second schema (PostgreSQL) or database (MySQL) that
	// exists and may be used to qualify tables, or "" (SQLite: none).
	Schema string
	// FailingStatement fails on the server with SQLSTATE or error
	// number WantCode.
	FailingStatement, WantCode string
}

// Run runs the contract.
func Run(t *testing.T, env Env) {
	d, db := env.Dialect, env.DB
	ctx := context.Background()

	t.Run("history DDL is idempotent and quoted", func(t *testing.T) {
		tables := []dialect.Table{{Name: "strata_schema_history"}, {Name: `odd "name" ` + "`x`"}}
		if env.Schema != "" {
			tables = append(tables, dialect.Table{Schema: env.Schema, Name: "history"})
		}
		for _, tb := range tables {
			ok, err := d.TableExists(ctx, db, tb)
			if err != nil || ok {
				t.Fatalf("%s exists before creation: %v %v", tb, ok, err)
			}
			for range 2 {
				for _, stmt := range d.HistoryDDL(tb) {
					if _, err := db.ExecContext(ctx, stmt); err != nil {
						t.Fatalf("create %s: %v", tb, err)
					}
				}
			}
			ok, err = d.TableExists(ctx, db, tb)
			if err != nil || !ok {
				t.Fatalf("%s does not exist after creation: %v %v", tb, ok, err)
			}
			if _, err := db.ExecContext(ctx, "SELECT COUNT(*) FROM "+d.QuoteTable(tb)); err != nil {
				t.Fatalf("query %s: %v", tb, err)
			}
		}
	})

	t.Run("missing table is recognised", func(t *testing.T) {
		_, err := db.ExecContext(ctx, "SELECT * FROM "+d.QuoteIdent("no_such_table_here"))
		if err == nil || !d.MissingTable(err) {
			t.Fatalf("MissingTable(%v) = false", err)
		}
		if d.MissingTable(errors.New("some other error")) {
			t.Error("MissingTable is true for an unrelated error")
		}
	})

	t.Run("server errors are read", func(t *testing.T) {
		_, err := db.ExecContext(ctx, env.FailingStatement)
		code, msg, ok := d.ServerError(err)
		if !ok || !strings.HasPrefix(code, env.WantCode) || msg == "" {
			t.Fatalf("ServerError(%v) = %q %q %v; want code %s", err, code, msg, ok, env.WantCode)
		}
	})

	t.Run("placeholders bind", func(t *testing.T) {
		var s string
		if err := db.QueryRowContext(ctx, "SELECT CONCAT("+d.TextPlaceholder(1)+", 'z')", "x'y").Scan(&s); err != nil || s != "x'yz" {
			t.Fatalf("text placeholder: %q %v", s, err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT 1 WHERE 7 = "+d.Placeholder(1), 7).Scan(&n); err != nil || n != 1 {
			t.Fatalf("placeholder: %d %v", n, err)
		}
	})

	t.Run("lock excludes, times out naming the holder, and releases", func(t *testing.T) {
		tb := dialect.Table{Name: "strata_schema_history"}
		c1, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c1.Close()
		c2, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		l1, err := d.Lock(ctx, db, c1, tb, time.Second, nil)
		if err != nil {
			t.Fatalf("first lock: %v", err)
		}
		defer l1.Release(context.Background())
		var waited []string
		_, err = d.Lock(ctx, db, c2, tb, 700*time.Millisecond, func(h string) { waited = append(waited, h) })
		var lt *dialect.LockTimeoutError
		if !errors.As(err, &lt) {
			t.Fatalf("second lock while held: %v, want a timeout", err)
		}
		if lt.Holder == "" || len(waited) == 0 {
			t.Errorf("timeout names no holder (%q) or no waiting call (%d)", lt.Holder, len(waited))
		}
		// Another history table has a lock of its own.
		other, err := d.Lock(ctx, db, c2, dialect.Table{Name: "other_history"}, time.Second, nil)
		if err != nil {
			t.Fatalf("lock of another table: %v", err)
		}
		if err := other.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if err := l1.Release(ctx); err != nil {
			t.Fatalf("release: %v", err)
		}
		l2, err := d.Lock(ctx, db, c2, tb, time.Second, nil)
		if err != nil {
			t.Fatalf("lock after release: %v", err)
		}
		_ = l2.Release(ctx)
	})

	t.Run("cancelled wait returns promptly", func(t *testing.T) {
		tb := dialect.Table{Name: "cancel_history"}
		c1, _ := db.Conn(ctx)
		defer c1.Close()
		c2, _ := db.Conn(ctx)
		defer c2.Close()
		l1, err := d.Lock(ctx, db, c1, tb, 5*time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l1.Release(context.Background())
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = d.Lock(cctx, db, c2, tb, 0, nil)
		if err == nil || time.Since(start) > 5*time.Second {
			t.Fatalf("cancelled wait: %v after %v", err, time.Since(start))
		}
	})

	t.Run("objects are listed", func(t *testing.T) {
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+d.QuoteIdent("obj_probe")+" (id int)"); err != nil {
			t.Fatal(err)
		}
		objs, err := d.Objects(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range objs {
			found = found || strings.HasSuffix(o, "obj_probe")
		}
		if !found {
			t.Errorf("Objects() = %q, want it to list obj_probe", objs)
		}
	})

	t.Run("DDL lock timeout sets and restores", func(t *testing.T) {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		set, restore, err := d.DDLLockTimeout(ctx, c, 3*time.Second, false)
		if err != nil || len(set) == 0 || len(restore) == 0 {
			t.Fatalf("DDLLockTimeout: %q %q %v", set, restore, err)
		}
		for _, q := range append(set, restore...) {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
		_, err = db.ExecContext(ctx, env.FailingStatement)
		if d.Retryable(err) {
			t.Errorf("Retryable(%v) = true for an error that is not a lock timeout", err)
		}
	})

	t.Run("transaction control needs no transaction", func(t *testing.T) {
		for _, s := range []string{"BEGIN", "COMMIT", "START TRANSACTION", "ROLLBACK"} {
			if d.NoTransactionReason(s) == "" {
				t.Errorf("%s may run in a transaction, says the dialect", s)
			}
		}
		if r := d.NoTransactionReason("INSERT INTO t VALUES (1)"); r != "" {
			t.Errorf("an INSERT cannot run in a transaction: %s", r)
		}
	})

	runOptional(t, env)
	t.Run("queries are prepared and columns read", func(t *testing.T) { runQueryChecker(t, env) })
}
