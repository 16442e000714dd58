package importer

import (
	"bytes"
	"slices"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestConvertGolangMigrate(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"000001_init.up.sql":   "-- comment; with a semicolon\nCREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER);\n",
		"000001_init.down.sql": "DROP TABLE b;\nDROP TABLE a;\n",
		"000002_trigger.up.sql": `CREATE TRIGGER a_ins AFTER INSERT ON a
BEGIN
  INSERT INTO b (id) VALUES (NEW.id);
END;
`,
		"000003_only_up.up.sql": "INSERT INTO a (id) VALUES (1);\n",
		"000004_cql.up.cql":     "not ours",
	}
	c, err := Convert(GolangMigrate, mapFS(files), ConvertOptions{Dialect: sqlsplit.SQLite})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	_, dir := writeAndLoad(t, c)
	tests := []struct {
		file, toolVer string
		up            []string
		down          bool
	}{
		{"000001_init", "1", []string{"CREATE TABLE a (id INTEGER PRIMARY KEY)", "CREATE TABLE b (id INTEGER)"}, true},
		{"000002_trigger", "2", []string{"CREATE TRIGGER a_ins AFTER INSERT ON a\nBEGIN\n  INSERT INTO b (id) VALUES (NEW.id);\nEND"}, false},
		{"000003_only_up", "3", []string{"INSERT INTO a (id) VALUES (1)"}, false},
	}
	if len(c.Files) != len(tests) {
		t.Fatalf("%d files, want %d", len(c.Files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := findFile(t, c, tt.file)
			if f.ToolVersion != tt.toolVer {
				t.Errorf("ToolVersion %q, want %q", f.ToolVersion, tt.toolVer)
			}
			if !bytes.Equal(f.Up, []byte(files[tt.file+".up.sql"])) {
				t.Errorf("up changed: %q", f.Up)
			}
			if got := splitFile(t, dir, f.UpName(), sqlsplit.SQLite); !slices.Equal(got, tt.up) {
				t.Errorf("up\n got %q\nwant %q", got, tt.up)
			}
			if (f.Down != nil) != tt.down {
				t.Errorf("down %q, want present=%v", f.Down, tt.down)
			}
		})
	}
}
