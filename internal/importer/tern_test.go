package importer

import (
	"slices"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

func TestConvertTern(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"001_create_widgets.sql": `-- Widgets; the core table.
create table widgets (id serial primary key, name text not null);

---- create above / drop below ----

drop table widgets;
`,
		"002_fn.sql": `create function widget_count() returns bigint language sql as $$
  select count(*) from widgets;
$$;
`,
		"003_idx.sql": `---- tern: disable-tx ----
create index concurrently widgets_name on widgets (name);
---- create above / drop below ----
drop index concurrently widgets_name;
`,
	}
	c, err := Convert(Tern, mapFS(files), ConvertOptions{})
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	d, dir := writeAndLoad(t, c)
	tests := []struct {
		file, toolVer string
		up, down      []string
		noTx          bool
	}{
		{"001", "1", []string{"create table widgets (id serial primary key, name text not null)"}, []string{"drop table widgets"}, false},
		{"002", "2", []string{"create function widget_count() returns bigint language sql as $$\n  select count(*) from widgets;\n$$"}, nil, false},
		{"003", "3", []string{"create index concurrently widgets_name on widgets (name)"}, []string{"drop index concurrently widgets_name"}, true},
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
			if tt.down == nil {
				if f.Down != nil {
					t.Errorf("down %q, want none", f.Down)
				}
			} else if got := splitFile(t, dir, f.DownName(), sqlsplit.Postgres); !slices.Equal(got, tt.down) {
				t.Errorf("down\n got %q\nwant %q", got, tt.down)
			}
			if m := d.Find(mustVersion(t, f.Version)); m.Directives.NoTransaction != tt.noTx {
				t.Errorf("no-transaction %v, want %v", m.Directives.NoTransaction, tt.noTx)
			}
		})
	}
}

func TestConvertTernTemplates(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"001_a.sql": "create table a (id int);\n",
		"002_b.sql": "create table b (id int);\n{{ template \"shared/audit.sql\" . }}\n",
	}
	_, err := Convert(Tern, mapFS(files), ConvertOptions{})
	if got, want := problemKinds(t, err), []string{"002_b.sql:2:template"}; !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
	c, err := Convert(Tern, mapFS(files), ConvertOptions{Exclude: []string{"002_b.sql"}})
	if err != nil || len(c.Files) != 1 || !slices.Equal(c.Excluded, []string{"002_b.sql"}) {
		t.Fatalf("with the file excluded: %v, %+v", err, c)
	}
}
