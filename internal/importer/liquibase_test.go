package importer

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestLiquibaseChecksum(t *testing.T) {
	t.Parallel()
	// The change-level values are published in liquibase-standard's
	// SQLFileChangeTest ("validate checksum if sql(file) content change",
	// ChecksumVersion.latest()).
	proc := "CREATE OR REPLACE PROCEDURE testHello()\n          LANGUAGE plpgsql\n          AS $$\nBEGIN\n          raise notice 'value1';\nEND $$"
	tests := []struct {
		name, got, want string
	}{
		{"change, published", liquibaseChangeChecksum(proc), "9:8cfbd3e5970885470db17cd149feb637"},
		{"change, published edit", liquibaseChangeChecksum(strings.Replace(proc, "value1", "value2", 1)), "9:f6302129ace10ca356faa21343dd1aa8"},
		{"whitespace and line endings do not count", LiquibaseChecksum("create table a (id int);\r\n"), LiquibaseChecksum("create  table\ta(id int);")},
		{"changeset wraps the change", LiquibaseChecksum(proc), "9:" + md5hex("9:8cfbd3e5970885470db17cd149feb637:")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

const liquibaseChangelog = `--liquibase formatted sql

--changeset alice:1
--comment: people table; first
CREATE TABLE person (
  id INT PRIMARY KEY,
  name VARCHAR(50) -- given; family
);
--rollback DROP TABLE person;

--changeset bob:2 runInTransaction:false
CREATE INDEX person_name ON person (name);
--rollback DROP INDEX person_name ON person;

--changeset alice:proc splitStatements:false
CREATE PROCEDURE person_count()
BEGIN
  SELECT COUNT(*) FROM person;
END;
/* liquibase rollback
DROP PROCEDURE person_count;
*/

--changeset carol:views runOnChange:true
CREATE OR REPLACE VIEW people AS SELECT name FROM person;

--changeset dave:pg-only dbms:postgresql
CREATE EXTENSION IF NOT EXISTS pgcrypto;

--changeset erin:3
INSERT INTO person (id, name) VALUES (1, 'x; y');
--rollback not required
`

func TestConvertLiquibase(t *testing.T) {
	t.Parallel()
	src := mapFS(map[string]string{"db/changelog.sql": liquibaseChangelog, "db/plain.sql": "SELECT 1;\n"})
	c, err := Convert(Liquibase, src, ConvertOptions{Dialect: sqlsplit.MySQL, LiquibaseDBMS: []string{"mariadb"}})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	d, dir := writeAndLoad(t, c)
	if len(d.Versioned) != 4 || len(d.Repeatable) != 1 {
		t.Fatalf("loaded %d versioned, %d repeatable; want 4 and 1 (pg-only skipped)", len(d.Versioned), len(d.Repeatable))
	}
	tests := []struct {
		name, toolVer, checksumOf string
		up, down                  []string
		noTx, repeatable          bool
	}{
		{"0001_1", "1::alice::db/changelog.sql", "CREATE TABLE person (\n  id INT PRIMARY KEY,\n  name VARCHAR(50) -- given; family\n);",
			[]string{"CREATE TABLE person (\n  id INT PRIMARY KEY,\n  name VARCHAR(50) -- given; family\n)"}, []string{"DROP TABLE person"}, false, false},
		{"0002_2", "2::bob::db/changelog.sql", "CREATE INDEX person_name ON person (name);",
			[]string{"CREATE INDEX person_name ON person (name)"}, []string{"DROP INDEX person_name ON person"}, true, false},
		{"0003_proc", "proc::alice::db/changelog.sql", "CREATE PROCEDURE person_count()\nBEGIN\n  SELECT COUNT(*) FROM person;\nEND;",
			[]string{"CREATE PROCEDURE person_count()\nBEGIN\n  SELECT COUNT(*) FROM person;\nEND"}, []string{"DROP PROCEDURE person_count"}, false, false},
		{"R__carol_views", "views::carol::db/changelog.sql", "CREATE OR REPLACE VIEW people AS SELECT name FROM person;",
			[]string{"CREATE OR REPLACE VIEW people AS SELECT name FROM person"}, nil, false, true},
		{"0004_3", "3::erin::db/changelog.sql", "INSERT INTO person (id, name) VALUES (1, 'x; y');",
			[]string{"INSERT INTO person (id, name) VALUES (1, 'x; y')"}, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := findFile(t, c, tt.name)
			if f.ToolVersion != tt.toolVer || f.Source != "db/changelog.sql::"+tt.toolVer[:len(tt.toolVer)-len("::db/changelog.sql")] {
				t.Errorf("ToolVersion %q Source %q", f.ToolVersion, f.Source)
			}
			if want := LiquibaseChecksum(tt.checksumOf); f.ToolChecksum != want {
				t.Errorf("ToolChecksum %s, want %s", f.ToolChecksum, want)
			}
			if got := splitFile(t, dir, f.UpName(), sqlsplit.MySQL); !slices.Equal(got, tt.up) {
				t.Errorf("up\n got %q\nwant %q", got, tt.up)
			}
			if tt.down == nil {
				if f.Down != nil {
					t.Errorf("down %q, want none", f.Down)
				}
			} else if got := splitFile(t, dir, f.DownName(), sqlsplit.MySQL); !slices.Equal(got, tt.down) {
				t.Errorf("down\n got %q\nwant %q", got, tt.down)
			}
			if f.NoTransaction != tt.noTx || f.Repeatable != tt.repeatable {
				t.Errorf("noTx %v repeatable %v", f.NoTransaction, f.Repeatable)
			}
		})
	}
}

func TestConvertLiquibaseProblems(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"master.xml": `<databaseChangeLog><include file="changes.sql"/></databaseChangeLog>`,
		"changes.sql": `--liquibase formatted sql
--changeset a:1 context:test
INSERT INTO t VALUES (1);
--changeset a:2
--precondition-sql-check expectedResult:0 SELECT COUNT(*) FROM t
INSERT INTO t VALUES (${value});
`,
	}
	_, err := Convert(Liquibase, mapFS(files), ConvertOptions{Dialect: sqlsplit.Postgres})
	got := problemKinds(t, err)
	want := []string{"changes.sql:2:unsupported", "changes.sql:5:unsupported", "changes.sql:6:substitution"}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
	c, err := Convert(Liquibase, mapFS(files), ConvertOptions{Exclude: []string{"changes.sql::1::a", "changes.sql::2::a"}})
	if !errors.Is(err, ErrNoMigrations) || len(c.Excluded) != 2 {
		t.Errorf("excluding every changeset: err %v, excluded %v; want no-migrations error", err, c.Excluded)
	}
}

func TestDbmsMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		list  string
		names []string
		want  bool
	}{
		{"postgresql", []string{"postgresql"}, true},
		{"postgresql,mysql", []string{"mariadb"}, false},
		{"mysql, mariadb", []string{"mariadb"}, true},
		{"!sqlite", []string{"postgresql"}, true},
		{"!sqlite", []string{"sqlite"}, false},
		{"all", []string{"sqlite"}, true},
		{"none", []string{"sqlite"}, false},
	}
	for _, tt := range tests {
		if got := dbmsMatches(tt.list, tt.names); got != tt.want {
			t.Errorf("dbmsMatches(%q, %q) = %v, want %v", tt.list, tt.names, got, tt.want)
		}
	}
}

func TestLiquibaseIncludeOrder(t *testing.T) {
	t.Parallel()
	cs := func(id string) string {
		return "--liquibase formatted sql\n--changeset dev:" + id + "\nSELECT " + id + ";\n"
	}
	files := map[string]string{
		"db/master.xml": `<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
    <include file="db/changes/b.sql"/>
    <include file="changes/a.sql" relativeToChangelogFile="true"/>
    <includeAll path="db/later/"/>
</databaseChangeLog>`,
		"db/changes/a.sql": cs("2"),
		"db/changes/b.sql": cs("1"),
		"db/later/2.sql":   cs("4"),
		"db/later/1.sql":   cs("3"),
		"aaa/loose.sql":    cs("0"),
	}
	tests := []struct {
		name    string
		files   map[string]string
		want    []string // ToolVersion in strata order
		problem string
	}{
		{"include order", files, []string{"0::dev::aaa/loose.sql", "1::dev::db/changes/b.sql", "2::dev::db/changes/a.sql", "3::dev::db/later/1.sql", "4::dev::db/later/2.sql"}, ""},
		{"missing include", map[string]string{"m.xml": `<databaseChangeLog><include file="nope.sql"/></databaseChangeLog>`, "x.sql": cs("1")}, nil, "m.xml:1:unsupported"},
		{"XML changeset", map[string]string{"m.xml": "<databaseChangeLog>\n<changeSet id=\"1\" author=\"a\"/></databaseChangeLog>"}, nil, "m.xml:2:unsupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Convert(Liquibase, mapFS(tt.files), ConvertOptions{})
			if tt.problem != "" {
				if got := problemKinds(t, err); !slices.Equal(got, []string{tt.problem}) {
					t.Errorf("problems %q, want %q", got, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range c.Files {
				got = append(got, f.ToolVersion)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
