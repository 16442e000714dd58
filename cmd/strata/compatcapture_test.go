package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
	"github.com/strata-db/strata/internal/testserver"
)

// TestCompatCapture: on private servers with the statement record on
// (pg_stat_statements preloaded, performance_schema=ON), compat --capture
// writes the app's queries normalised, without the literals the app sent
// (a password among them) and without DDL, and the file it writes is
// checked by compat --queries, which catches a dropped column.
func TestCompatCapture(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind    string
		start   func(testing.TB, testserver.Options) *testserver.Server
		setting map[string]string
		setup   []string // run on the database before the app's queries
		select_ string   // what the captured SELECT looks like
	}{
		{"postgres", testserver.StartPostgres, map[string]string{"shared_preload_libraries": "pg_stat_statements"},
			[]string{"CREATE EXTENSION pg_stat_statements"}, "WHERE id = $1"},
		{"mysql", testserver.StartMariaDB, map[string]string{"performance-schema": "ON"}, nil, "FROM `users` WHERE ID = ?"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			srv := c.start(t, testserver.Options{Settings: c.setting})
			t.Cleanup(func() { srv.Stop() })
			db := srv.Database(t)
			conn := db.Open(t)
			for _, s := range c.setup {
				if _, err := conn.Exec(s); err != nil {
					t.Fatal(err)
				}
			}
			f := newFolder(t)
			f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name varchar(50) NOT NULL, password varchar(50), email varchar(50));\n")
			want(t, f.run(db.URL, "up"), 0)
			// The app, on one connection: literals in the text, and bound
			// parameters.
			app, err := conn.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer app.Close()
			for _, q := range []string{
				"INSERT INTO users (id, name, password) VALUES (1, 'ann', 's3cret-pw')",
				"SELECT name, email FROM users WHERE id = 1",
				"UPDATE users SET email = 'ann@example.com' WHERE id = 1",
			} {
				if _, err := app.ExecContext(context.Background(), q); err != nil {
					t.Fatal(err)
				}
			}
			// MariaDB records a statement's summary after it has sent the
			// reply, so a capture right after the UPDATE could miss it on a
			// busy machine. The server reads the next command of a
			// connection only when it is done with the last: a ping (not a
			// statement, so nothing to capture) waits for that.
			if err := app.PingContext(context.Background()); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(f.wd, "captured.sql")
			r := f.run(db.URL, "compat", "--capture", "--out", out)
			want(t, r, 0, "captured")
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			for _, s := range []string{"INSERT INTO", "UPDATE", c.select_} {
				if !strings.Contains(got, s) {
					t.Errorf("captured file lacks %q:\n%s", s, got)
				}
			}
			for _, s := range []string{"s3cret", "ann", "CREATE TABLE", "strata_migrations"} {
				if strings.Contains(got, s) {
					t.Errorf("captured file holds %q:\n%s", s, got)
				}
			}
			want(t, f.run(db.URL, "compat", "--queries", out), 0, "compat ok")
			f.write("0002_drop_email.sql", "ALTER TABLE users DROP COLUMN email;\n")
			r = f.run(db.URL, "compat", "--queries", out)
			want(t, r, 16, "migrations/0002_drop_email.sql:1", "email")
			if strings.Count(r.stdout, "BREAK") != 2 {
				t.Errorf("want the SELECT and the UPDATE of email broken:\n%s", r)
			}
		})
	}
}

// TestCompatCaptureUnavailable: the shared servers keep no statement
// record; capture says how to enable it.
func TestCompatCaptureUnavailable(t *testing.T) {
	t.Parallel()
	for kind, hint := range map[string]string{
		"postgres": "shared_preload_libraries",
		"mysql":    "performance_schema=ON",
		"sqlite":   "keeps no record",
	} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n")
			want(t, f.run(db.URL, "compat", "--capture"), 1, "cannot read", hint)
		})
	}
}
