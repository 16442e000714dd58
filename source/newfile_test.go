package source

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestNewFileName(t *testing.T) {
	now := time.Date(2024, 3, 5, 14, 7, 9, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name, desc string
		files      []string
		want       string
		wantErr    string
	}{
		{name: "empty dir", desc: "x", want: "0001_x.sql"},
		{name: "slug", desc: "  Add Users-Table (v2)!  ", want: "0001_add_users_table_v2.sql"},
		{name: "slug keeps dots", desc: "users.postgres", want: "0001_users.postgres.sql"},
		{name: "slug collapses separators", desc: "a -- b__c", want: "0001_a_b_c.sql"},
		{name: "empty slug", desc: " !!! ", wantErr: "has no letters or digits"},
		{name: "other scripts are kept", desc: "日本 таблица", want: "0001_日本_таблица.sql"},
		{name: "accents are transliterated", desc: "Café Größe Łódź smørrebrød Œuvre", want: "0001_cafe_grosse_lodz_smorrebrod_oeuvre.sql"},
		{name: "four digits", desc: "b", files: []string{"0001_a.sql", "0002_b.sql"}, want: "0003_b.sql"},
		{name: "five digits", desc: "c", files: []string{"00001_a.sql", "00041_b.sql"}, want: "00042_c.sql"},
		{name: "three digits", desc: "c", files: []string{"001_a.sql", "009_b.sql"}, want: "010_c.sql"},
		{name: "no padding", desc: "c", files: []string{"1_a.sql", "2_b.sql"}, want: "3_c.sql"},
		{name: "width overflows", desc: "c", files: []string{"999_a.sql"}, want: "1000_c.sql"},
		{name: "width of the head", desc: "c", files: []string{"1_a.sql", "0002_b.sql"}, want: "0003_c.sql"},
		{name: "head zero", desc: "c", files: []string{"0000_init.sql"}, want: "0001_c.sql"},
		{name: "only repeatables", desc: "c", files: []string{"R__views.sql"}, want: "0001_c.sql"},
		{name: "timestamps", desc: "c", files: []string{"20230101000000_a.sql"}, want: "20240305130709_c.sql"},
		{name: "timestamp not after head", desc: "c", files: []string{"20240305130709_a.sql"}, want: "20240305130710_c.sql"},
		{name: "timestamp head in the future", desc: "c", files: []string{"20991231235959_a.sql"}, want: "20991231235960_c.sql"},
		{name: "20 digits", desc: "c", files: []string{"20240101120000000001_a.sql"}, want: "20240101120000000002_c.sql"},
		{name: "beyond int64", desc: "c", files: []string{"99999999999999999999_a.sql"}, want: "100000000000000000000_c.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for _, f := range tt.files {
				files[f] = "SELECT 1;"
			}
			d, err := LoadWith(mapFS(files), LoadOptions{AllowEmpty: true})
			if err != nil {
				t.Fatal(err)
			}
			got, err := NewFileName(d, tt.desc, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NewFileName = %q, %v; want %q", got, err, tt.want)
			}
			// The new name must parse, sort after the head and load cleanly.
			files[got] = "SELECT 2;"
			d2, err := Load(mapFS(files))
			if err != nil {
				t.Fatalf("the new file does not load: %v", err)
			}
			if d2.Head().Path != got {
				t.Errorf("new head = %s, want %s", d2.Head().Path, got)
			}
		})
	}
	if got, err := NewFileName(nil, "x", now); err != nil || got != "0001_x.sql" {
		t.Errorf("NewFileName(nil) = %q, %v", got, err)
	}
}

func TestNewFileNameCollision(t *testing.T) {
	// A directory (ignored by Load) already has the name the new file would get.
	fsys := fstest.MapFS{
		"0001_a.sql":          {Data: []byte("SELECT 1;")},
		"0002_b.sql/keep.txt": {Data: []byte("x")},
	}
	d, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileName(d, "b", time.Now()); err == nil || !strings.Contains(err.Error(), "0002_b.sql already exists") {
		t.Errorf("error %v, want one about the existing name", err)
	}
	if got, err := NewFileName(d, "c", time.Now()); err != nil || got != "0002_c.sql" {
		t.Errorf("NewFileName = %q, %v", got, err)
	}
}

func TestNewFileNameTimestamp(t *testing.T) {
	now := time.Date(2024, 3, 5, 14, 7, 9, 0, time.FixedZone("CET", 3600))
	for _, tt := range []struct {
		files []string
		want  string
	}{
		{nil, "20240305130709_c.sql"},
		{[]string{"0001_a.sql", "0002_b.sql"}, "20240305130709_c.sql"},
		{[]string{"20991231235959_a.sql"}, "20991231235960_c.sql"},
	} {
		files := map[string]string{}
		for _, f := range tt.files {
			files[f] = "SELECT 1;"
		}
		d, err := LoadWith(mapFS(files), LoadOptions{AllowEmpty: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := NewFileNameWith(d, "c", now, NewFileOptions{Timestamp: true}); err != nil || got != tt.want {
			t.Errorf("%v: NewFileNameWith(Timestamp) = %q, %v; want %q", tt.files, got, err, tt.want)
		}
	}
}
