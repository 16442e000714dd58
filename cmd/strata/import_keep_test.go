package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/importer"
	"github.com/strata-db/strata/internal/testdb"
)

// TestImportKeepWritingDocumented imports a Flyway or Liquibase history
// (made from their documented layouts, see import_flyway_test.go), then
// migrates on with --keep-writing: up writes exactly the row the tool
// documents for the new file, down records the undo (Flyway: an UNDO_SQL
// row) or deletes the row (Liquibase rollback), and after each the
// importer's own reader of the tool's table agrees with strata's
// history (import --check).
func TestImportKeepWritingDocumented(t *testing.T) {
	t.Parallel()
	const more = "CREATE TABLE more (id int PRIMARY KEY);\n"
	cases := []struct {
		tool  string
		setup []string          // the tool's table, rows and the schema its files built
		files map[string]string // the tool's folder
		next  map[string]string // the next file, in the tool's format
		row   string            // the query of the new file's row
		// wantRow is the row after up, given the tool's checksum of the
		// file and of its down file.
		wantRow func(sum, downSum string) []any
		// afterDown is the query that shows what down recorded, and its
		// expected count.
		afterDown string
		downRows  int
	}{
		{
			tool: "flyway",
			setup: []string{flywayDDL, "CREATE TABLE users (id int PRIMARY KEY)", "INSERT INTO users (id) VALUES (1)", "CREATE TABLE orders (id int PRIMARY KEY)",
				flywayRow{"1", "SQL", "V1__users.sql", "", true}.sql(1), flywayRow{"1.1", "SQL", "V1.1__backfill.sql", "", true}.sql(2),
				flywayRow{"2", "SQL", "V2__orders.sql", "", true}.sql(3)},
			files: map[string]string{"V1__users.sql": flywayFiles["V1__users.sql"], "V1.1__backfill.sql": flywayFiles["V1.1__backfill.sql"], "V2__orders.sql": flywayFiles["V2__orders.sql"]},
			next:  map[string]string{"V3__more_tables.sql": more, "U3__more_tables.sql": "DROP TABLE more;\n"},
			row: "SELECT installed_rank, version, description, type, script, checksum, execution_time, success FROM flyway_schema_history " +
				"WHERE installed_rank = 4",
			wantRow: func(sum, _ string) []any {
				return []any{"4", "3", "more tables", "SQL", "V3__more_tables.sql", sum, "0", "true"}
			},
			// Flyway's undo keeps the SQL row and adds an UNDO_SQL one.
			afterDown: "SELECT COUNT(*) FROM flyway_schema_history WHERE installed_rank = 5 AND version = '3' AND type = 'UNDO_SQL' " +
				"AND script = 'U3__more_tables.sql' AND description = 'more tables' AND checksum = %s",
			downRows: 1,
		},
		{
			tool: "liquibase",
			setup: []string{liquibaseDDL, "CREATE TABLE users (id int PRIMARY KEY)", "INSERT INTO users (id) VALUES (1)", "CREATE TABLE orders (id int PRIMARY KEY)",
				"INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES ('1', 'alice', 'changelog.sql', CURRENT_TIMESTAMP, 1, 'EXECUTED', '%[1]s')",
				"INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES ('2', 'alice', 'changelog.sql', CURRENT_TIMESTAMP, 2, 'EXECUTED', '%[2]s')",
				"INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES ('3', 'bob', 'changelog.sql', CURRENT_TIMESTAMP, 3, 'EXECUTED', '%[3]s')"},
			files: map[string]string{"changelog.sql": liquibaseChangelog},
			next:  map[string]string{"changelog.sql": liquibaseChangelog + "\n--changeset carol:4\n" + more + "--rollback DROP TABLE more;\n"},
			row: "SELECT ORDEREXECUTED, ID, AUTHOR, FILENAME, EXECTYPE, MD5SUM, DESCRIPTION, COMMENTS, LIQUIBASE, " +
				"CASE WHEN LENGTH(DEPLOYMENT_ID) = 10 THEN 'ok' ELSE DEPLOYMENT_ID END, CASE WHEN DATEEXECUTED IS NULL THEN 'no' ELSE 'ok' END " +
				"FROM DATABASECHANGELOG WHERE ID = '4'",
			wantRow: func(sum, _ string) []any {
				return []any{"4", "4", "carol", "changelog.sql", "EXECUTED", sum, "sql", "", "4.29.2", "ok", "ok"}
			},
			// liquibase rollback deletes the row.
			afterDown: "SELECT COUNT(*) FROM DATABASECHANGELOG WHERE ID = '4'%.0s",
			downRows:  0,
		},
	}
	for _, c := range cases {
		t.Run(c.tool, func(t *testing.T) {
			t.Parallel()
			testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
				f := newFolder(t)
				old := filepath.Join(f.wd, "old")
				writeFiles(t, old, c.files)
				conv, err := importer.Convert(importer.Tool(c.tool), os.DirFS(old), importer.ConvertOptions{})
				if err != nil {
					t.Fatal(err)
				}
				var sums []any
				for _, cf := range conv.Files {
					sums = append(sums, cf.ToolChecksum)
				}
				conn := db.Open(t)
				for _, s := range c.setup {
					if strings.Contains(s, "%[") { // the checksums of the files
						s = fmt.Sprintf(s, sums...)
					}
					if _, err := conn.Exec(s); err != nil {
						t.Fatalf("%s: %v", s, err)
					}
				}
				want(t, f.run(db.URL, "import", c.tool, "--from", old, "--apply"), 0, "imported")
				// Without the tool's folder the keys of its rows are unknown.
				want(t, f.run(db.URL, "up", "--keep-writing", c.tool), 2, "--keep-writing-from")
				// A file written only in strata's format has no row the
				// tool would write: refused before it runs.
				f.write("90_stray.sql", "CREATE TABLE stray (id int);\n")
				r := f.run(db.URL, "up", "--keep-writing", c.tool, "--keep-writing-from", old)
				if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "no file of strata version 90") {
					t.Fatalf("up of a file the %s folder lacks:\n%s", c.tool, r)
				}
				if f.status(db.URL).state("90") != "pending" {
					t.Fatalf("the stray file ran:\n%s", r)
				}
				f.remove("90_stray.sql")

				writeFiles(t, old, c.next)
				addConverted(t, c.tool, old, f.path)
				conv, err = importer.Convert(importer.Tool(c.tool), os.DirFS(old), importer.ConvertOptions{})
				if err != nil {
					t.Fatal(err)
				}
				last := conv.Files[len(conv.Files)-1]
				want(t, f.run(db.URL, "up", "--keep-writing", c.tool, "--keep-writing-from", old), 0)
				countRows(t, conn, "SELECT COUNT(*) FROM more")
				if got, wantRow := scanRow(t, conn, c.row, len(c.wantRow("", ""))), c.wantRow(last.ToolChecksum, last.ToolDownChecksum); !reflect.DeepEqual(got, wantRow) {
					t.Fatalf("the %s row of the new file:\n got %q\nwant %q", c.tool, got, wantRow)
				}
				want(t, f.run(db.URL, "import", c.tool, "--from", old, "--check"), 0, "agree")

				want(t, f.run(db.URL, "down", "--keep-writing", c.tool, "--keep-writing-from", old), 0)
				if n := countRows(t, conn, fmt.Sprintf(c.afterDown, last.ToolDownChecksum)); n != c.downRows {
					t.Fatalf("after down: %d rows for %s, want %d", n, c.afterDown, c.downRows)
				}
				want(t, f.run(db.URL, "import", c.tool, "--from", old, "--check"), 0, "agree")
				if v := strings.TrimLeft(last.Version, "0"); f.status(db.URL).state(v) != "pending" {
					t.Fatalf("version %s is %s after down", v, f.status(db.URL).state(v))
				}
			})
		})
	}
}

// scanRow reads one row of n columns as strings; a true boolean reads
// "true" on every database (PostgreSQL t, MySQL and SQLite 1).
func scanRow(t *testing.T, db *sql.DB, query string, n int) []any {
	t.Helper()
	raw := make([]sql.NullString, n)
	dest := make([]any, n)
	for i := range raw {
		dest[i] = &raw[i]
	}
	if err := db.QueryRow(query).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out := make([]any, n)
	for i, r := range raw {
		switch r.String {
		case "1", "t", "TRUE":
			out[i] = "true"
		default:
			out[i] = r.String
		}
	}
	return out
}
