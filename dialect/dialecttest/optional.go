package dialecttest

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/strata-db/strata/dialect"
)

// runOptional checks the optional interfaces the dialect implements:
// server version, schemas, databases, grants and connection errors.
func runOptional(t *testing.T, env Env) {
	d, db := env.Dialect, env.DB
	ctx := context.Background()

	t.Run("server version", func(t *testing.T) {
		v, ok := d.(dialect.Versioner)
		if !ok {
			t.Skip("the dialect cannot name its server")
		}
		s, err := v.ServerVersion(ctx, db)
		if err != nil || len(s) < 3 {
			t.Fatalf("ServerVersion = %q, %v", s, err)
		}
	})

	t.Run("schemas are listed and switched to", func(t *testing.T) {
		sc, ok := d.(dialect.Schemas)
		if !ok || env.Schema == "" {
			t.Skip("the database has no schemas to switch between")
		}
		names, err := sc.ListSchemas(ctx, db, env.Schema)
		if err != nil || !slices.Equal(names, []string{env.Schema}) {
			t.Fatalf("ListSchemas(%q) = %q, %v", env.Schema, names, err)
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The session now points elsewhere: discard the connection.
		defer conn.Raw(func(any) error { return driver.ErrBadConn })
		if _, err := conn.ExecContext(ctx, sc.UseSchema(env.Schema)); err != nil {
			t.Fatalf("%s: %v", sc.UseSchema(env.Schema), err)
		}
		if _, err := conn.ExecContext(ctx, "CREATE TABLE strata_ct_used (x int)"); err != nil {
			t.Fatal(err)
		}
		if ok, err := d.TableExists(ctx, db, dialect.Table{Schema: env.Schema, Name: "strata_ct_used"}); err != nil || !ok {
			t.Errorf("a table created after %s is not in %s: %v %v", sc.UseSchema(env.Schema), env.Schema, ok, err)
		}
	})

	t.Run("databases are created, listed and dropped", func(t *testing.T) {
		dbs, ok := d.(dialect.Databases)
		if !ok {
			t.Skip("the server cannot create databases")
		}
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "strata_ct_" + hex.EncodeToString(b[:])
		if err := dbs.CreateDatabase(ctx, db, name); err != nil {
			t.Fatal(err)
		}
		names, err := dbs.ListDatabases(ctx, db, `strata\_ct\_`+name[len("strata_ct_"):])
		if err != nil || !slices.Equal(names, []string{name}) {
			t.Errorf("ListDatabases after create = %q, %v", names, err)
		}
		if err := dbs.DropDatabase(ctx, db, name); err != nil {
			t.Fatal(err)
		}
		if err := dbs.DropDatabase(ctx, db, name); err != nil {
			t.Errorf("dropping a database that is gone: %v", err)
		}
		if names, err := dbs.ListDatabases(ctx, db, name); err != nil || len(names) != 0 {
			t.Errorf("ListDatabases after drop = %q, %v", names, err)
		}
	})

	t.Run("grants of the test user", func(t *testing.T) {
		g, ok := d.(dialect.Grants)
		if !ok {
			t.Skip("the database has no users")
		}
		user, grants, err := g.DDLGrants(ctx, db, "")
		if err != nil || user == "" || len(grants) == 0 {
			t.Fatalf("DDLGrants for the test's admin user = %q, %q, %v; want the grants that let it run DDL", user, grants, err)
		}
	})

	t.Run("connection errors", func(t *testing.T) {
		ce, ok := d.(dialect.ConnectErrors)
		if !ok {
			t.Skip("the database refuses no connection")
		}
		_, err := db.ExecContext(ctx, env.FailingStatement)
		if err == nil || ce.AuthFailed(err) || ce.MissingDatabase(err) {
			t.Errorf("%s fails with %v: neither an authentication failure nor a missing database", env.FailingStatement, err)
		}
	})
}
