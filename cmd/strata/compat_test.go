package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// compatJSON is `strata compat --json` output.
type compatJSON struct {
	OK      bool     `json:"ok"`
	Queries int      `json:"queries"`
	Pending []string `json:"pending"`
	Broken  []struct {
		Query     string   `json:"query"`
		QueryLine int      `json:"query_line"`
		Kind      string   `json:"kind"`
		File      string   `json:"file"`
		Line      int      `json:"line"`
		Message   string   `json:"message"`
		Columns   []string `json:"columns"`
	} `json:"broken"`
	Failing []struct {
		QueryLine int `json:"query_line"`
	} `json:"failing_before"`
	CheckingMS int64 `json:"checking_ms"`
}

func runCompat(t *testing.T, f *folder, url string, args ...string) (result, compatJSON) {
	t.Helper()
	r := f.run(url, append([]string{"compat", "--json"}, args...)...)
	var c compatJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("compat --json: %v\n%s", err, r)
	}
	return r, c
}

// compatRelease is the release the deployed app runs on, per database:
// users (with a NOT NULL name and an email), orders, and a routine.
var compatRelease = map[string]string{
	"postgres": `CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL DEFAULT 0);
CREATE FUNCTION add_tax(p numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT p * 1.2 $$;
`,
	"mysql": `CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, name varchar(50) NOT NULL, email varchar(50));
CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, user_id int NOT NULL DEFAULT 0);
CREATE FUNCTION add_tax(p decimal(10,2)) RETURNS decimal(10,2) DETERMINISTIC RETURN p * 1.2;
CREATE PROCEDURE touch_user(IN uid int) UPDATE users SET name = name WHERE id = uid;
`,
	"sqlite": `CREATE TABLE users (id INTEGER PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id int NOT NULL DEFAULT 0);
`,
}

// compatQueries is the deployed app's queries file: line 2 reads email,
// line 3 orders, line 4 inserts users naming only name and email, line
// 5 calls the function, line 6 (MySQL) the procedure.
func compatQueries(kind string) string {
	p := func(n int) string {
		if kind == "postgres" {
			return fmt.Sprintf("$%d", n)
		}
		return "?"
	}
	q := "-- the deployed app's queries\n" +
		"SELECT id, name, email FROM users WHERE id = " + p(1) + ";\n" +
		"SELECT id, user_id FROM orders WHERE user_id = " + p(1) + ";\n" +
		"INSERT INTO users (name, email) VALUES (" + p(1) + ", " + p(2) + ");\n"
	switch kind {
	case "postgres", "mysql":
		q += "SELECT add_tax(" + p(1) + ");\n"
	}
	if kind == "mysql" {
		q += "CALL touch_user(?);\n"
	}
	return q
}

// TestCompat: the gate catches a dropped column, a renamed table, a
// changed function (and, on MySQL, procedure) signature and a NOT NULL
// column without a default, each naming the query and the file:line that
// broke it, passes additive changes, and up --compat refuses to apply a
// breaking file; on each database.
func TestCompat(t *testing.T) {
	t.Parallel()
	type broken struct {
		queryLine int
		kind      string
		line      int
		message   string
	}
	cases := []struct {
		name string
		kind []string // the databases it runs on (nil: all)
		file map[string]string
		want []broken
		// line is the breaking line where a database's file differs.
		line map[string]int
	}{
		{name: "dropped column", file: map[string]string{"": "ALTER TABLE users ADD COLUMN nick text;\n\nALTER TABLE users DROP COLUMN email;\n"},
			want: []broken{{2, "prepare", 3, "email"}, {4, "prepare", 3, "email"}}},
		{name: "renamed table", file: map[string]string{"": "CREATE TABLE tags (id int);\nALTER TABLE orders RENAME TO purchases;\n"},
			want: []broken{{3, "prepare", 2, "orders"}}},
		{name: "function signature", kind: []string{"postgres", "mysql"}, file: map[string]string{
			"postgres": "CREATE TABLE tags (id int);\nDROP FUNCTION add_tax(numeric);\nCREATE FUNCTION add_tax(p numeric, r numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT p * r $$;\n",
			"mysql":    "CREATE TABLE tags (id int);\nDROP FUNCTION add_tax;\nCREATE FUNCTION add_tax(p decimal(10,2), r decimal(10,2)) RETURNS decimal(10,2) DETERMINISTIC RETURN p * r;\n"},
			want: []broken{{5, "prepare", 2, "add_tax"}}},
		{name: "procedure signature", kind: []string{"mysql"}, file: map[string]string{
			"mysql": "DROP PROCEDURE touch_user;\nCREATE PROCEDURE touch_user(IN uid int, IN n varchar(50)) UPDATE users SET name = n WHERE id = uid;\n"},
			want: []broken{{6, "prepare", 1, "touch_user"}}},
		{name: "not null without default", file: map[string]string{
			"":       "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users ADD COLUMN tenant int NOT NULL;\n",
			"sqlite": "CREATE TABLE users2 (id INTEGER PRIMARY KEY, name text NOT NULL, email text, tenant int NOT NULL);\nINSERT INTO users2 SELECT id, name, email, 0 FROM users;\nDROP TABLE users;\nALTER TABLE users2 RENAME TO users;\n"},
			want: []broken{{4, "not_null", 2, "tenant"}}, line: map[string]int{"sqlite": 1}},
		{name: "additive", file: map[string]string{"": "ALTER TABLE users ADD COLUMN nick text;\nCREATE TABLE tags (id int);\nALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT 0;\n"}},
	}
	for _, kind := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			f := newFolder(t)
			f.write("0001_release1.sql", compatRelease[kind])
			want(t, f.run(db.URL, "up"), 0)
			if err := os.WriteFile(filepath.Join(f.wd, "queries.sql"), []byte(compatQueries(kind)), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				if c.kind != nil && !strings.Contains(strings.Join(c.kind, ","), kind) {
					continue
				}
				file, ok := c.file[kind]
				if !ok {
					file = c.file[""]
				}
				f.write("0002_release2.sql", file)
				r, got := runCompat(t, f, db.URL, "--queries", "queries.sql")
				if len(c.want) == 0 {
					if r.code != 0 || !got.OK || len(got.Broken) != 0 || len(got.Pending) != 1 {
						t.Fatalf("%s: want ok, got %+v\n%s", c.name, got, r)
					}
					continue
				}
				if r.code != 16 || got.OK || len(got.Broken) != len(c.want) {
					t.Fatalf("%s: want exit 16 and %d broken queries, got %+v\n%s", c.name, len(c.want), got, r)
				}
				for i, w := range c.want {
					if l, ok := c.line[kind]; ok {
						w.line = l
					}
					b := got.Broken[i]
					if b.QueryLine != w.queryLine || b.Kind != w.kind || b.File != "migrations/0002_release2.sql" || b.Line != w.line ||
						!strings.Contains(b.Message, w.message) {
						t.Errorf("%s: broken[%d] = %+v; want query line %d, %s, 0002_release2.sql:%d, a message naming %s", c.name, i, b, w.queryLine, w.kind, w.line, w.message)
					}
				}
				text := f.run(db.URL, "compat", "--queries", "queries.sql")
				want(t, text, 16, fmt.Sprintf("BREAK queries.sql:%d", c.want[0].queryLine), fmt.Sprintf("migrations/0002_release2.sql:%d", got.Broken[0].Line))
			}

			// The gate: a breaking file is refused and stays pending; an
			// additive one is applied.
			f.write("0002_release2.sql", cases[0].file[""])
			r := f.run(db.URL, "up", "--compat", "queries.sql")
			want(t, r, 16, "BREAK queries.sql:2", "migrations/0002_release2.sql:3")
			if st := f.status(db.URL); st.state("2") != "pending" {
				t.Fatalf("up --compat applied a breaking file: %+v", st)
			}
			f.write("0002_release2.sql", cases[len(cases)-1].file[""])
			want(t, f.run(db.URL, "up", "--compat", "queries.sql"), 0, "applied 1 migration")

			// The gate checks what this up applies: a breaking file
			// beyond --to is neither applied nor held against it.
			f.write("0003_expand.sql", "CREATE TABLE notes (id int);\n")
			f.write("0004_contract.sql", "ALTER TABLE users DROP COLUMN email;\n")
			want(t, f.run(db.URL, "up", "--to", "3", "--compat", "queries.sql"), 0, "applied 1 migration")
			want(t, f.run(db.URL, "up", "--compat", "queries.sql"), 16, "BREAK queries.sql:2", "migrations/0004_contract.sql:1")

			// With phases: the pre-deploy run's gate checks the pre-deploy
			// files only; the post-deploy run's catches the contract.
			f.write("0004_contract.sql", "-- strata:phase post-deploy\nALTER TABLE users DROP COLUMN email;\n")
			f.write("0005_expand.sql", "CREATE TABLE labels (id int);\n")
			want(t, f.run(db.URL, "up", "--phase", "pre-deploy", "--compat", "queries.sql"), 0, "applied 1 migration")
			want(t, f.run(db.URL, "up", "--phase", "post-deploy", "--compat", "queries.sql"), 16, "BREAK queries.sql:2", "migrations/0004_contract.sql:2")
			if st := f.status(db.URL); st.state("4") != "pending" || st.state("5") != "applied" {
				t.Fatalf("want 0004 pending and 0005 applied: %+v", st)
			}
		})
	}
}
