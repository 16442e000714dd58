package main

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/testdb"
)

// bom is the UTF-8 byte order mark some editors put at the start of a file.
const bom = "\uFEFF"

// TestBOMFilesApply checks that files starting with a byte order mark
// (docs/checksums.md: allowed, part of the checksum, dropped before the SQL
// is sent) apply on every database and every way a file runs: pipelined,
// in a transaction, outside one (on MySQL statement by statement, where a
// checksum disagreement would leave the file recorded partial), CR LF line
// ends, a large file read ahead in a goroutine, and a down file.
func TestBOMFilesApply(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
		f := newFolder(t)
		f.write("0001_small.sql", bom+"CREATE TABLE bom_a (id int PRIMARY KEY);\nINSERT INTO bom_a (id) VALUES (1);\n")
		f.write("0002_crlf.sql", bom+"-- Windows line ends\r\nINSERT INTO bom_a (id) VALUES (2);\r\nINSERT INTO bom_a (id) VALUES (3);\r\n")
		f.write("0003_no_tx.sql", bom+"-- strata:no-transaction\nCREATE TABLE bom_b (id int);\nINSERT INTO bom_b (id) VALUES (1);\n")
		// Over 1 MiB: read and split ahead of the server, never kept in memory.
		f.write("0004_large.sql", bom+"/* "+strings.Repeat("padding ", 150_000)+"*/\nINSERT INTO bom_a (id) VALUES (4);\r\n")
		f.write("0005_down.sql", "CREATE TABLE bom_c (id int);\n")
		f.write("0005_down.down.sql", bom+"DROP TABLE bom_c;\r\n")

		r := f.run(db.URL, "up")
		want(t, r, 0, "applied 5 migrations", "database is at version 5")
		st := f.status(db.URL)
		for _, v := range []string{"1", "2", "3", "4", "5"} {
			if s := st.state(v); s != "applied" {
				t.Errorf("version %s is %q after up, want applied\n%s", v, s, r)
			}
		}
		r = f.run(db.URL, "up")
		want(t, r, 0, "nothing to do: database is at version 5")

		r = f.run(db.URL, "down")
		want(t, r, 0, "0005_down.down.sql")
		if s := f.status(db.URL).state("5"); s != "pending" {
			t.Fatalf("version 5 is %q after down, want pending", s)
		}
		r = f.run(db.URL, "up")
		want(t, r, 0, "applied 1 migration", "database is at version 5")
		r = f.run(db.URL, "verify")
		if r.code != 0 {
			t.Fatalf("verify after applying BOM files: %s", r)
		}
	})
}
