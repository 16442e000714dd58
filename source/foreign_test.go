package source

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadRefusesForeignFiles: a file written for another tool is refused,
// naming the file, the line of the first marker, the tool and the line
// its down section starts on; markers inside string literals, quoted
// identifiers, dollar-quoted bodies and block comments, and ordinary
// comments that mention a tool, are not markers.
func TestLoadRefusesForeignFiles(t *testing.T) {
	tests := []struct {
		name, file, body string
		tool             string // "" when the file is fine
		line, down       int
	}{
		{"goose", "20240101120000_users.sql", "-- +goose Up\nCREATE TABLE users (id int);\n\n-- +goose Down\nDROP TABLE users;\n", "goose", 1, 4},
		{"goose lower case", "0001_users.sql", "-- +goose up\nCREATE TABLE users (id int);\n-- +goose down\nDROP TABLE users;\n", "goose", 1, 3},
		{"goose statement block", "0001_f.sql", "-- licence\n-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1; -- one\nEND;\n$$ LANGUAGE plpgsql;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n", "goose", 2, 11},
		{"goose no transaction", "0001_i.sql", "-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);\n", "goose", 1, 0},
		{"goose envsub", "0001_e.sql", "  --+goose ENVSUB ON\nCREATE TABLE t (a int);\n", "goose", 1, 0},
		{"sql-migrate", "1_init.sql", "-- +migrate Up\nCREATE TABLE t (a int);\n-- +migrate Down\nDROP TABLE t;\n", "sql-migrate", 1, 3},
		{"dbmate", "20240101120000_t.sql", "-- migrate:up\nCREATE TABLE t (a int);\n\n-- migrate:down\nDROP TABLE t;\n", "dbmate", 1, 4},
		{"dbmate options crlf", "0001_t.sql", "--migrate:up transaction:false\r\nCREATE TABLE t (a int);\r\n--migrate:down\r\nDROP TABLE t;\r\n", "dbmate", 1, 3},
		{"liquibase", "0001_t.sql", "--liquibase formatted sql\n\n--changeset alice:1\nCREATE TABLE t (a int);\n--rollback DROP TABLE t;\n", "Liquibase", 1, 0},
		{"liquibase changeset only", "0001_t.sql", "-- a comment\n--changeset bob:create-t runOnChange:true\nCREATE TABLE t (a int);\n", "Liquibase", 2, 0},
		{"tern", "001_t.sql", "CREATE TABLE t (a int);\n\n---- create above / drop below ----\n\nDROP TABLE t;\n", "tern", 3, 3},
		{"marker after a block comment", "0001_t.sql", "/* header\n   -- +goose Up (quoted in a comment) */\nSELECT 1;\n-- +goose Down\nSELECT 2;\n", "goose", 4, 4},
		{"marker after an escaped quote", "0001_t.sql", "SELECT 'it''s', 'a\\'b';\n-- migrate:down\nSELECT 2;\n", "dbmate", 2, 2},

		{"marker in a string literal", "0001_s.sql", "INSERT INTO notes VALUES ('how to write goose files:\n-- +goose Down\ngoes here');\n", "", 0, 0},
		{"marker in a dollar body", "0001_d.sql", "CREATE FUNCTION f() RETURNS text AS $body$\n-- migrate:down\nSELECT 1;\n$body$ LANGUAGE sql;\n", "", 0, 0},
		{"marker in a quoted identifier", "0001_q.sql", "CREATE TABLE \"odd\n-- +migrate Down\n\" (a int);\n", "", 0, 0},
		{"marker in a block comment", "0001_b.sql", "/*\n-- +goose Down\n*/\nSELECT 1;\n", "", 0, 0},
		{"marker after code on a line", "0001_c.sql", "SELECT 1; -- +goose Down\n", "", 0, 0},
		{"comment mentioning goose", "0001_m.sql", "-- converted from goose: the +goose Up and Down markers were removed\n-- migrate: nothing\n-- changeset notes follow\nSELECT 1;\n", "", 0, 0},
		{"longer words", "0001_w.sql", "-- +gooseberry\n-- migrate:upgrade later\n-- +migrated\nSELECT 1;\n", "", 0, 0},
		{"mysql hash comment", "0001_h.sql", "# it's a comment\n-- +goose Down\n", "goose", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(mapFS(map[string]string{tt.file: tt.body}))
			var fe *ForeignError
			if tt.tool == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if !errors.As(err, &fe) {
				t.Fatalf("Load: got %v, want a *ForeignError", err)
			}
			if fe.File != tt.file || fe.Line != tt.line || fe.Tool != tt.tool || fe.DownLine != tt.down || fe.Marker == "" {
				t.Errorf("got %+v, want file %s line %d tool %s down line %d", *fe, tt.file, tt.line, tt.tool, tt.down)
			}
			var file *FileError
			if !errors.As(err, &file) || file.Line != tt.line {
				t.Fatalf("Load: got %v, want a *FileError on line %d", err, tt.line)
			}
			msg := err.Error()
			for _, want := range []string{tt.file, tt.tool, ".down.sql"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not name %q", msg, want)
				}
			}
			if strings.Contains(msg, "strata import") {
				t.Errorf("message %q points at a command that does not exist", msg)
			}
		})
	}
}

// TestLoadRefusesFlywayNames: Flyway's V and U names are refused with the
// strata name to use; R__ names stay strata's repeatable migrations.
func TestLoadRefusesFlywayNames(t *testing.T) {
	tests := []struct{ file, marker, want string }{
		{"V1__create_users.sql", "V1__", "rename it to 0001_create_users.sql"},
		{"V1.1__add_email.sql", "V1.1__", "renumber the Flyway files"},
		{"V2_1__add_email.sql", "V2_1__", "renumber the Flyway files"},
		{"U1__create_users.sql", "U1__", "rename it to 0001_create_users.down.sql"},
		{"V20240101120000__t.sql", "V20240101120000__", "rename it to 20240101120000_t.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(mapFS(map[string]string{tt.file: "SELECT 1;", "R__views.sql": "SELECT 1;"}))
			var fe *ForeignError
			if !errors.As(err, &fe) {
				t.Fatalf("Load: got %v, want a *ForeignError", err)
			}
			if fe.Tool != "Flyway" || fe.File != tt.file || fe.Marker != tt.marker || fe.Line != 0 {
				t.Errorf("got %+v", *fe)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q does not say %q", err, tt.want)
			}
		})
	}
	d, err := Load(mapFS(map[string]string{"R__views.sql": "SELECT 1;", "0001_a.sql": "SELECT 1;"}))
	if err != nil || len(d.Repeatable) != 1 {
		t.Fatalf("R__views.sql is strata's own repeatable migration: got %v", err)
	}
}

// TestLoadForeignEveryFile: every foreign file is reported, not just the
// first, and the checksum cache never remembers one.
func TestLoadForeignEveryFile(t *testing.T) {
	_, err := Load(mapFS(map[string]string{
		"0001_a.sql": "-- +goose Up\nSELECT 1;\n",
		"0002_b.sql": "SELECT 1;\n",
		"0003_c.sql": "-- migrate:up\nSELECT 1;\n",
	}))
	var n int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *ForeignError
		if errors.As(e, &fe) {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("got %d foreign files in %v, want 2", n, err)
	}
}

// TestLoadForeignAcrossChunks: a marker line that a read buffer boundary
// cuts in two is still found.
func TestLoadForeignAcrossChunks(t *testing.T) {
	for _, cut := range []int{1, 5, 10, 20} {
		body := "SELECT 1;\n" + strings.Repeat("-", bufSize-cut-11) + "\n-- +goose Down\nSELECT 2;\n"
		_, err := Load(mapFS(map[string]string{"0001_a.sql": body}))
		var fe *ForeignError
		if !errors.As(err, &fe) || fe.Line != 3 || fe.Tool != "goose" {
			t.Errorf("marker %d bytes before the buffer's end: got %v", cut, err)
		}
	}
}
