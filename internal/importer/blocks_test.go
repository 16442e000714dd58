package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestStatementBlocks(t *testing.T) {
	t.Parallel()
	file := func(body string) map[string]string {
		return map[string]string{"00001_x.sql": "-- +goose Up\n-- +goose StatementBegin\n" + body + "\n-- +goose StatementEnd\n"}
	}
	tests := []struct {
		name     string
		body     string
		dialect  sqlsplit.Dialect
		want     []string // statements strata runs; nil: a problem
		delimit  bool     // the converted file wraps the block in DELIMITER lines
		problems []string
	}{
		{"goose template block on PostgreSQL", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);", sqlsplit.Postgres,
			[]string{"CREATE TABLE a (id int)", "CREATE TABLE b (id int)"}, false, nil},
		{"multi-statement block on MySQL kept whole", "SELECT 1; SELECT 2;", sqlsplit.MySQL,
			[]string{"SELECT 1; SELECT 2"}, true, nil},
		{"MySQL trigger splits alone", "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW\nBEGIN\n  SET NEW.id = NEW.id + 1;\nEND;", sqlsplit.MySQL,
			[]string{"CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW\nBEGIN\n  SET NEW.id = NEW.id + 1;\nEND"}, false, nil},
		{"SQLite trigger", "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET n = 1;\nEND;", sqlsplit.SQLite,
			[]string{"CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET n = 1;\nEND"}, false, nil},
		{"unterminated dollar quote", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;", sqlsplit.Postgres,
			nil, false, []string{"00001_x.sql:3:statement-block", "00001_x.sql:0:unsupported"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Convert(Goose, mapFS(file(tt.body)), ConvertOptions{Dialect: tt.dialect})
			if tt.problems != nil {
				if got := problemKinds(t, err); !slices.Equal(got, tt.problems) {
					t.Errorf("problems %q, want %q", got, tt.problems)
				}
				return
			}
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			_, dir := writeAndLoad(t, c)
			if got := splitFile(t, dir, c.Files[0].UpName(), tt.dialect); !slices.Equal(got, tt.want) {
				t.Errorf("statements\n got %q\nwant %q", got, tt.want)
			}
			if got := strings.Contains(string(c.Files[0].Up), "DELIMITER //"); got != tt.delimit {
				t.Errorf("DELIMITER in %q: %v, want %v", c.Files[0].Up, got, tt.delimit)
			}
		})
	}
}
