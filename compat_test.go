package strata_test

import (
	"context"
	"slices"
	"testing"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/testdb"
)

// TestCompatSkip: Compat applies the applied files first, then the
// pending ones, reporting a query with the first file after which it
// fails; a pending file in CompatOptions.Skip (a post-deploy file during
// the pre-deploy phase) is not applied, so what it breaks is not
// reported.
func TestCompatSkip(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		ctx := context.Background()
		fsys := files(
			"0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name varchar(20), email varchar(20));\n",
			"0002_contract.sql", "ALTER TABLE users ADD COLUMN nick varchar(20);\nALTER TABLE users DROP COLUMN email;\n",
			"0003_expand.sql", "ALTER TABLE users ADD COLUMN score int;\n",
		)
		queries := []strata.CompatQuery{{Text: "SELECT id, email FROM users", File: "q.sql", Line: 1}, {Text: "SELECT nope FROM users", File: "q.sql", Line: 2}}
		cases := []struct {
			name    string
			skip    []string
			pending []string
			broken  int // the line of the 0002 statement that breaks query 1; 0: none
		}{
			{"all pending", nil, []string{"0002_contract.sql", "0003_expand.sql"}, 2},
			{"contract skipped", []string{"2"}, []string{"0003_expand.sql"}, 0},
		}
		for _, c := range cases {
			scratch := testdb.New(t, map[string]string{"pgx": "postgres", "mysql": "mysql", "sqlite": "sqlite"}[db.DriverName])
			m := newMigrator(t, scratch, scratch.Open(t), fsys)
			res, err := m.Compat(ctx, queries, strata.CompatOptions{Applied: []string{"1"}, Skip: c.skip})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.Equal(res.Pending, c.pending) || len(res.Failing) != 1 || res.Failing[0].Query.Line != 2 {
				t.Errorf("%s: pending %v, failing %+v; want pending %v and query 2 failing before", c.name, res.Pending, res.Failing, c.pending)
			}
			switch {
			case c.broken == 0 && (!res.OK() || len(res.Broken) != 0):
				t.Errorf("%s: want ok, got %+v", c.name, res.Broken)
			case c.broken != 0 && (res.OK() || len(res.Broken) != 1 || res.Broken[0].File != "0002_contract.sql" || res.Broken[0].Line != c.broken ||
				res.Broken[0].Kind != strata.CompatPrepare || res.Broken[0].Query.Line != 1):
				t.Errorf("%s: want query 1 broken by 0002_contract.sql:%d, got %+v", c.name, c.broken, res.Broken)
			}
		}
	})
}
