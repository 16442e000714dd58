package importer

import (
	"slices"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestConvertDbmate(t *testing.T) {
	t.Parallel()
	src := mapFS(map[string]string{
		"20240101120000_create_orders.sql": `-- migrate:up
CREATE TABLE orders (
  id INT PRIMARY KEY,
  note VARCHAR(200) DEFAULT 'a; b'
);

-- migrate:down
DROP TABLE orders;
`,
		"20240102120000_proc.sql": `-- migrate:up
CREATE PROCEDURE count_orders()
BEGIN
  SELECT COUNT(*) FROM orders;
END;
-- migrate:down
DROP PROCEDURE count_orders;
`,
		"20240103120000_big_index.sql": `-- migrate:up transaction:false
CREATE INDEX orders_note ON orders (note);
`,
		"schema.sql": "-- dbmate dump, not a migration\n",
	})
	c, err := Convert(Dbmate, src, ConvertOptions{Dialect: sqlsplit.MySQL})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	d, dir := writeAndLoad(t, c)
	if len(d.Versioned) != 3 {
		t.Fatalf("%d migrations, want 3", len(d.Versioned))
	}
	tests := []struct {
		file     string
		up, down []string
		noTx     bool
	}{
		{"20240101120000", []string{"CREATE TABLE orders (\n  id INT PRIMARY KEY,\n  note VARCHAR(200) DEFAULT 'a; b'\n)"}, []string{"DROP TABLE orders"}, false},
		{"20240102120000", []string{"CREATE PROCEDURE count_orders()\nBEGIN\n  SELECT COUNT(*) FROM orders;\nEND"}, []string{"DROP PROCEDURE count_orders"}, false},
		{"20240103120000", []string{"CREATE INDEX orders_note ON orders (note)"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := findFile(t, c, tt.file)
			if f.ToolVersion != tt.file || f.Version != tt.file {
				t.Errorf("versions %q/%q, want %q", f.ToolVersion, f.Version, tt.file)
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
			if m := d.Find(mustVersion(t, f.Version)); m.Directives.NoTransaction != tt.noTx {
				t.Errorf("no-transaction %v, want %v", m.Directives.NoTransaction, tt.noTx)
			}
		})
	}
}
