package importer

import (
	"slices"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestConvertSQLMigrate(t *testing.T) {
	t.Parallel()
	src := mapFS(sqlMigrateFolder)
	c, err := Convert(SQLMigrate, src, ConvertOptions{Dialect: sqlsplit.Postgres})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	d, dir := writeAndLoad(t, c)
	tests := []struct {
		file, toolVer string
		up, down      []string
		noTx          bool
	}{
		{"1_init", "1_init.sql", []string{"CREATE TABLE people (id int PRIMARY KEY, name text)"}, []string{"DROP TABLE people"}, false},
		{"2_func", "2_func.sql", []string{"CREATE FUNCTION greet(n text) RETURNS text AS $body$\nBEGIN\n  RETURN 'hello; ' || n;\nEND;\n$body$ LANGUAGE plpgsql"}, []string{"DROP FUNCTION greet(text)"}, false},
		{"3_index", "3_index.sql", []string{"CREATE INDEX CONCURRENTLY people_name ON people (name)"}, []string{"DROP INDEX CONCURRENTLY people_name"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := findFile(t, c, tt.file)
			if f.ToolVersion != tt.toolVer {
				t.Errorf("ToolVersion %q, want %q", f.ToolVersion, tt.toolVer)
			}
			if got := splitFile(t, dir, f.UpName(), sqlsplit.Postgres); !slices.Equal(got, tt.up) {
				t.Errorf("up\n got %q\nwant %q", got, tt.up)
			}
			if got := splitFile(t, dir, f.DownName(), sqlsplit.Postgres); !slices.Equal(got, tt.down) {
				t.Errorf("down\n got %q\nwant %q", got, tt.down)
			}
			m := d.Find(mustVersion(t, f.Version))
			if m.Directives.NoTransaction != tt.noTx || m.DownDirectives.NoTransaction != tt.noTx {
				t.Errorf("no-transaction up %v down %v, want %v", m.Directives.NoTransaction, m.DownDirectives.NoTransaction, tt.noTx)
			}
		})
	}
}

// sqlMigrateFolder is a sql-migrate folder: licence header, a $body$
// function block, notransaction index.
var sqlMigrateFolder = map[string]string{
	"1_init.sql": `-- Licence: MIT; see LICENSE.
-- +migrate Up
CREATE TABLE people (id int PRIMARY KEY, name text);
-- +migrate Down
DROP TABLE people;
`,
	"2_func.sql": `-- +migrate Up
-- +migrate StatementBegin
CREATE FUNCTION greet(n text) RETURNS text AS $body$
BEGIN
  RETURN 'hello; ' || n;
END;
$body$ LANGUAGE plpgsql;
-- +migrate StatementEnd
-- +migrate Down
DROP FUNCTION greet(text);
`,
	"3_index.sql": `-- +migrate Up notransaction
CREATE INDEX CONCURRENTLY people_name ON people (name);
-- +migrate Down notransaction
DROP INDEX CONCURRENTLY people_name;
`,
}
