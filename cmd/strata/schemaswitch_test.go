package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestSchemaSwitchKeepsHistory: a file that switches the schema
// (PostgreSQL SET search_path) or the database (MySQL USE, as mysqldump
// writes) runs its later statements where it asked, but strata's history
// row goes into the history table of the schema it connected to, the
// other schema's history is untouched, and the next file starts in the
// original schema again.
func TestSchemaSwitchKeepsHistory(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			d := testdb.New(t, kind)
			db := d.Open(t)
			q := func(s string) string { return `"` + s + `"` }
			own, other, otherURL := "public", "tenant_b", d.URL
			switchTo := "SET search_path TO tenant_b, public"
			if kind == "mysql" {
				q = func(s string) string { return "`" + s + "`" }
				own, other = d.Name, d.Name+"_b"
				switchTo = "USE `" + other + "`"
				otherURL = strings.Replace(d.URL, "/"+d.Name, "/"+other, 1)
				if _, err := db.Exec("CREATE DATABASE " + q(other)); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS " + q(other)) })
			} else {
				if _, err := db.Exec("CREATE SCHEMA " + q(other)); err != nil {
					t.Fatal(err)
				}
			}
			// The other tenant has its own history, with one file.
			tenant := newFolder(t)
			tenant.write("0100_tenant.sql", "CREATE TABLE tenant_only (id int);\n")
			args := []string{"up"}
			if kind == "postgres" {
				args = append(args, "--table", other+".strata_schema_history")
			}
			want(t, tenant.run(otherURL, args...), 0)

			f := newFolder(t)
			f.write("0001_switch.sql", "CREATE TABLE a (id int);\n"+switchTo+";\nCREATE TABLE b (id int);\n")
			f.write("0002_next.sql", "CREATE TABLE c (id int);\n")
			want(t, f.run(d.URL, "up"), 0)

			if got := historyVersions(t, db, q(own)+".strata_schema_history"); !slices.Equal(got, []string{"1", "2"}) {
				t.Errorf("own history (%s) has %v, want [1 2]", own, got)
			}
			if got := historyVersions(t, db, q(other)+".strata_schema_history"); !slices.Equal(got, []string{"100"}) {
				t.Errorf("the other tenant's history (%s) has %v, want [100]", other, got)
			}
			for table, schema := range map[string]string{"a": own, "b": other, "c": own} {
				var n int
				if err := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema + "' AND table_name = '" + table + "'").Scan(&n); err != nil || n != 1 {
					t.Errorf("table %s is not in %s (%d, %v)", table, schema, n, err)
				}
			}
			if st := f.status(d.URL); st.state("1") != "applied" || st.state("2") != "applied" || st.Pending != 0 {
				t.Errorf("status: %+v", st)
			}
		})
	}
}
