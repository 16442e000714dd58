package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

// gooseFolder is a realistic goose folder: licence header with
// semicolons, a PG function with $$ in a statement block, a MySQL
// procedure, a no-transaction index, a file with only an Up section and a
// comment-only file.
var gooseFolder = map[string]string{
	"00001_create_users.sql": `-- Copyright 2024 Example Corp; all rights reserved.
-- Licensed under the Apache License; see LICENSE.

-- +goose Up
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL -- unique; see below
);
CREATE UNIQUE INDEX users_email ON users (email);

-- +goose Down
DROP TABLE users;
`,
	"00002_touch_function.sql": `-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DROP FUNCTION touch();
-- +goose StatementEnd
`,
	"00003_backfill.sql": `-- +goose Up
INSERT INTO users (id, email) VALUES (1, 'a;b@example.com');
UPDATE users SET email = lower(email);
`,
	"00004_email_index.sql": `-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY users_email_lower ON users (lower(email));

-- +goose Down
DROP INDEX CONCURRENTLY users_email_lower;
`,
	"00005_comment_only.sql": `-- +goose Up
-- nothing to do here; kept for numbering
-- +goose Down
`,
	"README.md": "# migrations\n",
}

func TestConvertGoose(t *testing.T) {
	t.Parallel()
	c, err := Convert(Goose, mapFS(gooseFolder), ConvertOptions{Dialect: sqlsplit.Postgres})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	d, dir := writeAndLoad(t, c)
	if got := len(d.Versioned); got != 5 {
		t.Fatalf("loaded %d migrations, want 5", got)
	}
	tests := []struct {
		name     string
		file     string
		toolVer  string
		up, down []string // what goose runs, normalized; nil down: no down file
		noTx     bool
	}{
		{"header and two statements", "00001_create_users", "1",
			[]string{"CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text NOT NULL -- unique; see below\n)",
				"CREATE UNIQUE INDEX users_email ON users (email)"},
			[]string{"DROP TABLE users"}, false},
		{"dollar-quoted block", "00002_touch_function", "2",
			[]string{"CREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n    NEW.updated_at = now();\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql"},
			[]string{"DROP FUNCTION touch()"}, false},
		{"only up", "00003_backfill", "3",
			[]string{"INSERT INTO users (id, email) VALUES (1, 'a;b@example.com')", "UPDATE users SET email = lower(email)"},
			nil, false},
		{"no transaction", "00004_email_index", "4",
			[]string{"CREATE INDEX CONCURRENTLY users_email_lower ON users (lower(email))"},
			[]string{"DROP INDEX CONCURRENTLY users_email_lower"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := findFile(t, c, tt.file)
			if f.ToolVersion != tt.toolVer {
				t.Errorf("ToolVersion = %q, want %q", f.ToolVersion, tt.toolVer)
			}
			if got := splitFile(t, dir, f.UpName(), sqlsplit.Postgres); !slices.Equal(got, tt.up) {
				t.Errorf("up statements\n got %q\nwant %q", got, tt.up)
			}
			if tt.down == nil {
				if f.Down != nil {
					t.Errorf("down = %q, want none", f.Down)
				}
			} else if got := splitFile(t, dir, f.DownName(), sqlsplit.Postgres); !slices.Equal(got, tt.down) {
				t.Errorf("down statements\n got %q\nwant %q", got, tt.down)
			}
			m := d.Find(mustVersion(t, f.Version))
			if m == nil || m.Directives.NoTransaction != tt.noTx || f.NoTransaction != tt.noTx {
				t.Errorf("no-transaction: loaded %+v, File %v, want %v", m, f.NoTransaction, tt.noTx)
			}
		})
	}
}

func TestConvertGooseMySQLProcedure(t *testing.T) {
	t.Parallel()
	src := mapFS(map[string]string{
		"20240101120000_proc.sql": `-- +goose Up
-- +goose StatementBegin
CREATE PROCEDURE add_user(IN e VARCHAR(255))
BEGIN
    INSERT INTO users (email) VALUES (e);
    SELECT LAST_INSERT_ID();
END;
-- +goose StatementEnd

-- +goose Down
DROP PROCEDURE add_user;
`,
	})
	c, err := Convert(Goose, src, ConvertOptions{Dialect: sqlsplit.MySQL})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	_, dir := writeAndLoad(t, c)
	f := c.Files[0]
	if f.Version != "20240101120000" || f.ToolVersion != "20240101120000" {
		t.Errorf("versions %q/%q, want the timestamp kept", f.Version, f.ToolVersion)
	}
	want := []string{"CREATE PROCEDURE add_user(IN e VARCHAR(255))\nBEGIN\n    INSERT INTO users (email) VALUES (e);\n    SELECT LAST_INSERT_ID();\nEND"}
	if got := splitFile(t, dir, f.UpName(), sqlsplit.MySQL); !slices.Equal(got, want) {
		t.Errorf("up statements\n got %q\nwant %q", got, want)
	}
}

func TestConvertGooseProblems(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"00001_init.sql": "-- +goose Up\nCREATE TABLE t (id int);\n",
		"00002_envsub.sql": `-- +goose Up
-- +goose ENVSUB ON
CREATE ROLE ${APP_ROLE};
-- +goose ENVSUB OFF
SELECT '${not_substituted}';
`,
		"00003_go_code.go": "package migrations\n",
		"00004_broken.sql": "CREATE TABLE x (id int);\n",
	}
	tests := []struct {
		name    string
		exclude []string
		want    []string // problems; nil: converts
		files   int
	}{
		{"all reported", nil, []string{"00002_envsub.sql:3:substitution", "00003_go_code.go:0:go-migration", "00004_broken.sql:1:unsupported"}, 0},
		{"some excluded", []string{"00003_go_code.go", "00004_broken.sql"}, []string{"00002_envsub.sql:3:substitution"}, 0},
		{"all excluded", []string{"00002_envsub.sql", "00003_go_code.go", "00004_broken.sql"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Convert(Goose, mapFS(files), ConvertOptions{Exclude: tt.exclude})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				if len(c.Files) != tt.files || len(c.Excluded) != len(tt.exclude) {
					t.Fatalf("files %d excluded %v", len(c.Files), c.Excluded)
				}
				return
			}
			got := problemKinds(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want[0][:strings.LastIndex(tt.want[0], ":")]) {
				t.Errorf("error text %q does not name %s", err, tt.want[0])
			}
		})
	}
}
