package strata

import (
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// TestParseInsert reads the columns an INSERT sets from the scanner's
// tokens, in each form, and which required columns it leaves out.
func TestParseInsert(t *testing.T) {
	t.Parallel()
	cols := []dialect.Column{{Name: "id"}, {Name: "name", Required: true}, {Name: "tenant", Required: true}, {Name: "note"}}
	cases := []struct {
		d       sqlsplit.Dialect
		q       string
		table   dialect.Table
		missing []string // nil: none; "-" first: not an INSERT
	}{
		{sqlsplit.Postgres, "INSERT INTO users (name) VALUES ($1)", dialect.Table{Name: "users"}, []string{"tenant"}},
		{sqlsplit.Postgres, `INSERT INTO app."Users" AS u ("NAME", tenant) VALUES ($1, $2) ON CONFLICT DO NOTHING`, dialect.Table{Schema: "app", Name: `"Users"`}, nil},
		{sqlsplit.Postgres, "INSERT INTO users VALUES ($1, $2)", dialect.Table{Name: "users"}, []string{"tenant"}},
		{sqlsplit.Postgres, "INSERT INTO users VALUES ($1, lower($2), $3)", dialect.Table{Name: "users"}, nil},
		{sqlsplit.Postgres, "INSERT INTO users DEFAULT VALUES", dialect.Table{Name: "users"}, []string{"name", "tenant"}},
		{sqlsplit.Postgres, "INSERT INTO users SELECT * FROM old_users", dialect.Table{Name: "users"}, nil},
		{sqlsplit.MySQL, "INSERT IGNORE INTO `users` SET name = ?, `tenant` = ?", dialect.Table{Name: "`users`"}, nil},
		{sqlsplit.MySQL, "REPLACE users (name) VALUES (?)", dialect.Table{Name: "users"}, []string{"tenant"}},
		{sqlsplit.SQLite, "INSERT OR REPLACE INTO users (name, note) VALUES (?, ?)", dialect.Table{Name: "users"}, []string{"tenant"}},
		{sqlsplit.Postgres, "SELECT 1", dialect.Table{}, []string{"-"}},
	}
	for _, c := range cases {
		s := parseInsert(sqlsplit.Tokens(c.q, sqlsplit.Options{Dialect: c.d}))
		if len(c.missing) > 0 && c.missing[0] == "-" {
			if s != nil {
				t.Errorf("%s: read as an INSERT: %+v", c.q, s)
			}
			continue
		}
		if s == nil {
			t.Errorf("%s: not read as an INSERT", c.q)
			continue
		}
		if s.table != c.table {
			t.Errorf("%s: table %+v, want %+v", c.q, s.table, c.table)
		}
		if got := s.missing(cols); !slices.Equal(got, c.missing) {
			t.Errorf("%s: missing %v, want %v", c.q, got, c.missing)
		}
	}
}

// TestSkipCaptured keeps the application's statements from a server's
// record and says why it leaves each other one out.
func TestSkipCaptured(t *testing.T) {
	t.Parallel()
	own := []string{"strata_migrations"}
	// The server's own names, as a dialect reports them (SystemName).
	system := func(n string) bool {
		return slices.Contains([]string{"pg_catalog", "information_schema", "get_lock", "pg_advisory_unlock"}, n)
	}
	for q, want := range map[string]string{
		"SELECT id FROM users WHERE id = $1":                        "",
		"WITH x AS (SELECT 1) SELECT * FROM x":                      "",
		"SELECT add_tax($1)":                                        "",
		"UPDATE users SET password = 'hunter2' WHERE id = $1":       "literal",
		"CREATE TABLE t (id int)":                                   "not_dml",
		"SET search_path = app":                                     "not_dml",
		"SELECT version FROM strata_migrations":                     "strata",
		"SELECT relname FROM pg_catalog.pg_class":                   "system",
		"SELECT @@SESSION . `sql_mode`":                             "system",
		"SELECT pg_advisory_unlock($1)":                             "system",
		"SELECT `GET_LOCK` (?)":                                     "system",
		"SELECT table_name FROM information_schema.tables LIMIT $1": "system",
	} {
		d := sqlsplit.Postgres
		if strings.ContainsAny(q, "`@") {
			d = sqlsplit.MySQL
		}
		if got := skipCaptured(sqlsplit.Tokens(q, sqlsplit.Options{Dialect: d}), own, system); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
}
