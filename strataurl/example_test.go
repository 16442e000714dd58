package strataurl_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/strataurl"
)

// ExampleOpen migrates a database given by URL, as an application does at
// start-up. An in-memory SQLite database keeps the example self-contained;
// a postgres:// or mysql:// URL works the same way.
func ExampleOpen() {
	ctx := context.Background()
	migrations := fstest.MapFS{ // usually an embed.FS
		"0001_users.sql":      {Data: []byte("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n")},
		"0002_admin.sql":      {Data: []byte("INSERT INTO users (id, email) VALUES (1, 'admin@example.com');\n")},
		"0003_index.sql":      {Data: []byte("CREATE UNIQUE INDEX users_email ON users (email);\n")},
		"README.md":           {Data: []byte("not a migration")},
		"0002_admin.down.sql": {Data: []byte("DELETE FROM users WHERE id = 1;\n")},
	}
	m, err := strataurl.Open(ctx, "sqlite::memory:", migrations)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	res, err := m.Up(ctx, strata.PlanOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Applied {
		fmt.Println("applied", a.File)
	}
	st, err := m.Status(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("at version", st.Current, "with", st.Pending, "pending")
	// Output:
	// applied 0001_users.sql
	// applied 0002_admin.sql
	// applied 0003_index.sql
	// at version 3 with 0 pending
}
