package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/importer"
	"github.com/strata-db/strata/internal/testdb"
)

// Flyway and Liquibase cannot be installed here (they need a JVM), so
// their history tables are made in the test from their documented
// layouts, with checksums computed by their documented rules (Flyway's
// CRC32 over lines, Liquibase's "9:" MD5), and the schema the files
// would build is created by running their SQL directly.

// flywayDDL is flyway_schema_history as Flyway creates it (the column
// types every database here accepts).
const flywayDDL = `CREATE TABLE flyway_schema_history (
 installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL,
 type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL,
 installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)`

// liquibaseDDL is DATABASECHANGELOG as Liquibase creates it (unquoted:
// lower case on PostgreSQL, upper case on MySQL).
const liquibaseDDL = `CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL,
 FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP NOT NULL, ORDEREXECUTED INT NOT NULL, EXECTYPE VARCHAR(10) NOT NULL,
 MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20),
 CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))`

var flywayFiles = map[string]string{
	"V1__users.sql":      "CREATE TABLE users (id int PRIMARY KEY);\n",
	"V1.1__backfill.sql": "-- the first user\r\nINSERT INTO users (id) VALUES (1);\r\n",
	"V2__orders.sql":     "CREATE TABLE orders (id int PRIMARY KEY);\n",
	"R__user_ids.sql":    "DROP VIEW IF EXISTS user_ids;\nCREATE VIEW user_ids AS SELECT id FROM users;\n",
}

// flywayRow is one row of flyway_schema_history.
type flywayRow struct {
	version, typ, script string
	checksum             string // "" computes it from the file
	success              bool
}

func (r flywayRow) sql(rank int) string {
	v := "'" + r.version + "'"
	if r.version == "" {
		v = "NULL"
	}
	sum := r.checksum
	if sum == "" {
		sum = fmt.Sprint(importer.FlywayChecksum([]byte(flywayFiles[r.script])))
	}
	ok := "TRUE"
	if !r.success {
		ok = "FALSE"
	}
	return fmt.Sprintf("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) "+
		"VALUES (%d, %s, 'x', '%s', '%s', %s, 'flyway', 1, %s)", rank, v, r.typ, r.script, sum, ok)
}

// TestImportFlyway imports flyway_schema_history states on every
// database: applied versions with matching checksums and a repeatable
// script, a baseline, a failed row, a checksum that differs, a gap.
func TestImportFlyway(t *testing.T) {
	t.Parallel()
	v1 := flywayRow{"1", "SQL", "V1__users.sql", "", true}
	v11 := flywayRow{"1.1", "SQL", "V1.1__backfill.sql", "", true}
	v2 := flywayRow{"2", "SQL", "V2__orders.sql", "", true}
	rep := flywayRow{"", "SQL", "R__user_ids.sql", "", true}
	cases := []struct {
		name    string
		rows    []flywayRow
		code    int
		applied []string // strata versions applied after the import
		says    []string
	}{
		{name: "applied", rows: []flywayRow{v1, v11, v2, rep}, applied: []string{"10", "11", "20"}},
		{name: "baseline", rows: []flywayRow{{"1.1", "BASELINE", "<< Flyway Baseline >>", "NULL", true}, v2}, applied: []string{"10", "11", "20"}},
		{name: "failed", rows: []flywayRow{v1, v11, {"2", "SQL", "V2__orders.sql", "", false}}, code: 3,
			says: []string{"V2__orders.sql", "success = false", "repair", "nothing was written"}},
		{name: "checksum", rows: []flywayRow{v1, {"1.1", "SQL", "V1.1__backfill.sql", "12345", true}}, code: 3,
			says: []string{"V1.1__backfill.sql", "12345", "edited"}},
		{name: "gap", rows: []flywayRow{v1, v2}, code: 3, says: []string{"V1.1__backfill.sql", "not applied, although later files are"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
				f := newFolder(t)
				old := filepath.Join(f.wd, "flyway")
				writeFiles(t, old, flywayFiles)
				conn := db.Open(t)
				stmts := []string{flywayDDL, "CREATE TABLE users (id int PRIMARY KEY)", "INSERT INTO users (id) VALUES (1)", "CREATE TABLE orders (id int PRIMARY KEY)"}
				for i, r := range c.rows {
					stmts = append(stmts, r.sql(i+1))
				}
				for _, s := range stmts {
					if _, err := conn.Exec(s); err != nil {
						t.Fatalf("%s: %v", s, err)
					}
				}
				r := f.run(db.URL, "import", "flyway", "--from", old, "--apply")
				want(t, r, c.code, c.says...)
				if c.code != 0 {
					noHistory(t, f, db)
					return
				}
				st := f.status(db.URL)
				for _, v := range c.applied {
					if st.state(v) != "applied" {
						t.Errorf("version %s is %s after the import:\n%s", v, st.state(v), r)
					}
				}
				f.write("30_more.sql", "CREATE TABLE more (id int);\n")
				want(t, f.run(db.URL, "up"), 0)
				if n := countRows(t, conn, "SELECT COUNT(*) FROM user_ids"); n != 1 {
					t.Errorf("the repeatable view has %d rows", n)
				}
				countRows(t, conn, "SELECT COUNT(*) FROM more")
			})
		})
	}
}

const liquibaseChangelog = `--liquibase formatted sql

--changeset alice:1
CREATE TABLE users (id int PRIMARY KEY);
--rollback DROP TABLE users;

--changeset alice:2
INSERT INTO users (id) VALUES (1);
--rollback DELETE FROM users;

--changeset bob:3
CREATE TABLE orders (id int PRIMARY KEY);
--rollback DROP TABLE orders;
`

// TestImportLiquibase imports DATABASECHANGELOG states on every database:
// executed changesets with their "9:" checksums, a FAILED one, and one
// whose checksum differs.
func TestImportLiquibase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		rows  [][3]string // author:id, EXECTYPE, MD5SUM ("" computes it)
		code  int
		count int // files applied after the import
		says  []string
	}{
		{name: "executed", rows: [][3]string{{"alice:1", "EXECUTED", ""}, {"alice:2", "EXECUTED", ""}}, count: 2},
		{name: "failed", rows: [][3]string{{"alice:1", "EXECUTED", ""}, {"alice:2", "FAILED", ""}}, code: 3,
			says: []string{"EXECTYPE FAILED", "nothing was written"}},
		{name: "checksum", rows: [][3]string{{"alice:1", "EXECUTED", "9:00000000000000000000000000000000"}}, code: 3,
			says: []string{"9:00000000000000000000000000000000", "edited"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			testdb.ForEach(t, func(t *testing.T, db testdb.DB) {
				f := newFolder(t)
				old := filepath.Join(f.wd, "db")
				writeFiles(t, old, map[string]string{"changelog.sql": liquibaseChangelog})
				conv, err := importer.Convert(importer.Liquibase, os.DirFS(old), importer.ConvertOptions{})
				if err != nil {
					t.Fatal(err)
				}
				sums := map[string]string{}
				for _, cf := range conv.Files {
					sums[cf.ToolVersion] = cf.ToolChecksum
				}
				conn := db.Open(t)
				stmts := []string{liquibaseDDL, "CREATE TABLE users (id int PRIMARY KEY)", "INSERT INTO users (id) VALUES (1)"}
				for i, r := range c.rows {
					author, id, _ := strings.Cut(r[0], ":") // --changeset author:id
					sum := r[2]
					if sum == "" {
						sum = sums[id+"::"+author+"::changelog.sql"]
					}
					stmts = append(stmts, fmt.Sprintf("INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE, MD5SUM) "+
						"VALUES ('%s', '%s', 'changelog.sql', CURRENT_TIMESTAMP, %d, '%s', '%s')", id, author, i+1, r[1], sum))
				}
				for _, s := range stmts {
					if _, err := conn.Exec(s); err != nil {
						t.Fatalf("%s: %v", s, err)
					}
				}
				r := f.run(db.URL, "import", "liquibase", "--from", old, "--apply")
				want(t, r, c.code, c.says...)
				if c.code != 0 {
					noHistory(t, f, db)
					return
				}
				st := f.status(db.URL)
				applied := 0
				for _, m := range st.Migrations {
					if m.State == "applied" {
						applied++
					}
				}
				if applied != c.count || st.Pending != len(conv.Files)-c.count {
					t.Fatalf("after the import %d applied, %d pending; want %d applied:\n%s", applied, st.Pending, c.count, r)
				}
				want(t, f.run(db.URL, "up"), 0)
				countRows(t, conn, "SELECT COUNT(*) FROM orders")
			})
		})
	}
}
