package main

import (
	"slices"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestFleetSchemasNeverSystem: a --targets-schemas pattern that matches
// the server's own schemas (pg_catalog, pg_toast, pg_temp_N,
// information_schema; mysql, sys, information_schema, performance_schema)
// never makes them targets.
func TestFleetSchemasNeverSystem(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		d := testdb.Postgres(t)
		db := d.Open(t)
		// A temporary table makes pg_temp_N and pg_toast_temp_N exist.
		for _, q := range []string{"CREATE SCHEMA tenant_x", "CREATE TEMP TABLE tmp (id int)"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		f := newFolder(t)
		f.write("0001_users.sql", "CREATE TABLE users (id int);\n")
		for _, pattern := range []string{"%", "pg%", "information%"} {
			r := f.run(d.URL, "up", "--dry-run", "--targets-schemas", pattern, "--json")
			if pattern != "%" {
				want(t, r, 2, "the fleet has no targets")
				continue
			}
			want(t, r, 0)
			if got := fleetTargetNames(t, r); !slices.Equal(got, []string{"public", "tenant_x"}) {
				t.Fatalf("--targets-schemas %% targets %v, want only public and tenant_x", got)
			}
		}
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		d := testdb.MySQL(t)
		db := d.Open(t)
		f := newFolder(t)
		f.write("0001_users.sql", "CREATE TABLE users (id int);\n")
		// Each pattern matches a system database and one of this test's
		// (a pattern matching every database would reach other tests').
		for _, suffix := range []string{"mysql", "sys", "schema"} {
			mine := d.Name + "_" + suffix
			if _, err := db.Exec("CREATE DATABASE `" + mine + "`"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS `" + mine + "`") })
			r := f.run(d.URL, "up", "--dry-run", "--targets-schemas", "%"+suffix, "--json")
			want(t, r, 0)
			if got := fleetTargetNames(t, r); !slices.Equal(got, []string{mine}) {
				t.Fatalf("--targets-schemas %%%s targets %v, want only %s", suffix, got, mine)
			}
		}
	})
}

// fleetTargetNames is the sorted target names of a fleet --json output.
func fleetTargetNames(t *testing.T, r result) []string {
	t.Helper()
	var names []string
	for _, tg := range decode[fleetStatusJSON](t, r).Targets {
		names = append(names, tg.Target)
	}
	slices.Sort(names)
	return names
}
