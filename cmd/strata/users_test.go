package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dbUser creates a database user (a PostgreSQL login role or a MySQL
// user) with password pw on db's server, runs setup (each %[1]s is the
// user's name, %[2]s the database's) as the admin in db, and drops the user
// when the test ends. It returns the user's name and a URL for db as that
// user, with the password in it.
func dbUser(t *testing.T, kind string, db testdb.DB, pw string, setup ...string) (name, rawURL string) {
	t.Helper()
	name = "strata_u_" + randomHex(5)
	admin := db.Open(t)
	var create, drop []string
	switch kind {
	case "postgres":
		create = []string{"CREATE ROLE " + name + " LOGIN PASSWORD '" + pw + "'", "GRANT CONNECT ON DATABASE \"" + db.Name + "\" TO " + name}
		drop = []string{"REASSIGN OWNED BY " + name + " TO CURRENT_USER", "DROP OWNED BY " + name, "DROP ROLE IF EXISTS " + name}
		rawURL = "postgres://" + url.UserPassword(name, pw).String() + "@127.0.0.1:5432/" + db.Name + "?sslmode=disable"
	case "mysql":
		create = []string{"CREATE USER '" + name + "'@'%' IDENTIFIED BY '" + pw + "'"}
		drop = []string{"DROP USER IF EXISTS '" + name + "'@'%'"}
		rawURL = "mysql://" + url.UserPassword(name, pw).String() + "@127.0.0.1:3306/" + db.Name
	default:
		t.Fatalf("dbUser: %s has no users", kind)
	}
	t.Cleanup(func() {
		for _, s := range drop {
			if _, err := admin.Exec(s); err != nil {
				t.Errorf("dbUser cleanup: %s: %v", s, err)
			}
		}
	})
	for _, s := range create {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("dbUser: %s: %v", strings.ReplaceAll(s, pw, "PW"), err)
		}
	}
	for _, s := range setup {
		s = strings.NewReplacer("%[1]s", name, "%[2]s", db.Name).Replace(s)
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("dbUser: %s: %v", s, err)
		}
	}
	return name, rawURL
}

// migrationUser is the setup that lets a user migrate db.
func migrationUser(kind string) []string {
	if kind == "postgres" {
		return []string{"ALTER DATABASE \"%[2]s\" OWNER TO %[1]s", "ALTER SCHEMA public OWNER TO %[1]s"}
	}
	return []string{"GRANT ALL PRIVILEGES ON `%[2]s`.* TO '%[1]s'@'%'"}
}
