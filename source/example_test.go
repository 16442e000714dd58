package source_test

import (
	"fmt"
	"io"
	"log"
	"testing/fstest"

	"github.com/strata-db/strata/source"
)

func ExampleLoad() {
	fsys := fstest.MapFS{ // or os.DirFS("migrations"), or an embed.FS
		"0001_create_users.sql":      {Data: []byte("CREATE TABLE users (id int);\r\n")},
		"0001_create_users.down.sql": {Data: []byte("DROP TABLE users;\n")},
		"0002_index_users.sql":       {Data: []byte("-- strata:no-transaction\nCREATE INDEX CONCURRENTLY users_id ON users (id);\n")},
		"R__views.sql":               {Data: []byte("CREATE OR REPLACE VIEW v AS SELECT 1;\n")},
		"README.md":                  {Data: []byte("ignored")},
	}
	dir, err := source.Load(fsys)
	if err != nil {
		log.Fatal(err) // every problem, one per line
	}
	for _, m := range dir.Versioned {
		fmt.Printf("%s %s %s down=%q no-transaction=%v\n", m.ID(), m.Description, m.Checksum[:12], m.DownPath, m.Directives.NoTransaction)
	}
	for _, m := range dir.Repeatable {
		fmt.Println(m.ID(), m.Path)
	}
	rc, err := dir.Open(dir.Versioned[0].Path)
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	sql, _ := io.ReadAll(rc)
	fmt.Printf("%q\n", sql)
	// Output:
	// 1 create_users 537129faaa4b down="0001_create_users.down.sql" no-transaction=false
	// 2 index_users d5131a2fa503 down="" no-transaction=true
	// R__views R__views.sql
	// "CREATE TABLE users (id int);\n"
}

func ExampleLoad_errors() {
	_, err := source.Load(fstest.MapFS{
		"0002_a.sql":   {Data: []byte("SELECT 1;")},
		"0002_b.sql":   {Data: []byte("SELECT 2;")},
		"add_user.sql": {Data: []byte("SELECT 3;")},
	})
	fmt.Println(err)
	// Output:
	// add_user.sql: the name does not start with a version number: rename it to NNNN_description.sql (for example 0001_create_users.sql, with an optional 0001_create_users.down.sql), or R__description.sql for a repeatable migration
	// 0002_a.sql, 0002_b.sql: two files have version 2: renumber one of them
}
