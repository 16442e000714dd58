package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// TestGolangMigrateMySQLURL: the URL a golang-migrate user already has,
// mysql://user:pass@tcp(host:3306)/db, works as it is; when the server
// refuses it, the error shows it with the password masked.
func TestGolangMigrateMySQLURL(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, "mysql")
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	user := u.User.Username()
	migrateURL := "mysql://" + user + "@tcp(" + u.Host + ")" + u.Path
	f := newFolder(t)
	f.write("0001_t.sql", "CREATE TABLE t (id int);\n")
	f.write("0002_r.sql", "INSERT INTO t VALUES (1);\n")

	r := f.run(migrateURL, "up")
	want(t, r, 0, "applied 2 migrations", "database is at version 2")
	if st := f.status(migrateURL); st.state("1") != "applied" || st.state("2") != "applied" {
		t.Fatalf("status = %+v", st)
	}
	// The same database through the ordinary URL: one and the same history.
	if st := f.status(db.URL); st.Pending != 0 || st.CurrentVersion != "2" {
		t.Fatalf("status through %s = %+v", db.URL, st)
	}

	const secret = "s3cret-Pw(9"
	wrong := "mysql://" + user + ":" + secret + "@tcp(" + u.Host + ")" + u.Path
	for _, args := range [][]string{{"status"}, {"up", "--json"}} {
		r = f.run(wrong, args...)
		if r.code == 0 {
			t.Fatalf("%v with a wrong password succeeded: %s", args, r)
		}
		out := r.stdout + r.stderr
		if strings.Contains(out, secret) || strings.Contains(out, url.QueryEscape(secret)) {
			t.Fatalf("%v printed the password:\n%s", args, r)
		}
		if !strings.Contains(out, "mysql://"+user+":xxxxx@tcp("+u.Host+")"+u.Path) {
			t.Fatalf("%v does not name the URL, password masked:\n%s", args, r)
		}
	}
}
