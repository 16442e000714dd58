package strata_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"testing/fstest"

	_ "modernc.org/sqlite"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect/sqlite"
	"github.com/strata-db/strata/source"
)

// Apply a folder of migrations to an in-memory SQLite database. In an
// application the folder is usually an embed.FS:
//
//	//go:embed migrations/*.sql
//	var migrations embed.FS
//	sub, _ := fs.Sub(migrations, "migrations")
func Example() {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1) // every connection to :memory: is a new database
	defer db.Close()

	migrations := fstest.MapFS{
		"0001_create_users.sql": {Data: []byte("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);")},
		"0002_add_name.sql":     {Data: []byte("-- a comment; with semicolons\nALTER TABLE users ADD COLUMN name TEXT;")},
	}
	m, err := strata.New(db, sqlite.New(), migrations)
	if err != nil {
		log.Fatal(err)
	}
	res, err := m.Up(context.Background(), strata.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range res.Applied {
		fmt.Println("applied", a.File)
	}
	st, err := m.Status(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("current version:", st.Current, "pending:", st.Pending)
	// Output:
	// applied 0001_create_users.sql
	// applied 0002_add_name.sql
	// current version: 2 pending: 0
}

// Plan shows what Up would do without changing anything.
func ExampleMigrator_Plan() {
	db, _ := sql.Open("sqlite", "file::memory:")
	db.SetMaxOpenConns(1)
	defer db.Close()
	m, err := strata.New(db, sqlite.New(), fstest.MapFS{
		"1_init.sql":   {Data: []byte("CREATE TABLE t (id INTEGER);\nINSERT INTO t VALUES (1);")},
		"2_vacuum.sql": {Data: []byte("VACUUM;")},
	})
	if err != nil {
		log.Fatal(err)
	}
	p, err := m.Plan(context.Background(), strata.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range p.Steps {
		if s.Transactional {
			fmt.Printf("%s: %d statements in a transaction\n", s.File, s.Statements)
		} else {
			fmt.Printf("%s: %d statements outside a transaction: %s\n", s.File, s.Statements, s.Reason)
		}
	}
	// Output:
	// 1_init.sql: 2 statements in a transaction
	// 2_vacuum.sql: 1 statements outside a transaction: VACUUM cannot run inside a transaction (line 1)
}

// Load a folder once and apply it to several databases, as a service with
// a database per tenant does: every Migrator shares the one loaded folder.
func ExampleNewFromDir() {
	dir, err := source.Load(fstest.MapFS{
		"0001_create_notes.sql": {Data: []byte("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, tenant := range []string{"acme", "globex"} {
		db, err := sql.Open("sqlite", "file:"+tenant+"?mode=memory")
		if err != nil {
			log.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		m, err := strata.NewFromDir(db, sqlite.New(), dir)
		if err != nil {
			log.Fatal(err)
		}
		res, err := m.Up(context.Background(), strata.PlanOptions{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(tenant, "applied", len(res.Applied))
		db.Close()
	}
	// Output:
	// acme applied 1
	// globex applied 1
}

// A roll-back is a plan too: PlanDown makes a down Plan, which Apply runs
// like an up plan, newest migration first.
func ExampleMigrator_PlanDown() {
	db, _ := sql.Open("sqlite", "file::memory:")
	db.SetMaxOpenConns(1)
	defer db.Close()
	m, err := strata.New(db, sqlite.New(), fstest.MapFS{
		"1_users.sql":       {Data: []byte("CREATE TABLE users (id INTEGER);")},
		"1_users.down.sql":  {Data: []byte("DROP TABLE users;")},
		"2_orders.sql":      {Data: []byte("CREATE TABLE orders (id INTEGER);")},
		"2_orders.down.sql": {Data: []byte("DROP TABLE orders;")},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Up(ctx, strata.PlanOptions{}); err != nil {
		log.Fatal(err)
	}
	p, err := m.PlanDown(ctx, strata.DownOptions{Steps: 2})
	if err != nil {
		log.Fatal(err)
	}
	res, err := m.Apply(ctx, p)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range res.Applied {
		fmt.Println(res.Direction, a.File)
	}
	fmt.Println("all rolled back:", res.Current.IsZero())
	// Output:
	// down 2_orders.down.sql
	// down 1_users.down.sql
	// all rolled back: true
}
