package source

import (
	"errors"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestLoadEmpty: a folder without migration files is an error that names
// the subfolders holding .sql files, unless AllowEmpty is set.
func TestLoadEmpty(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		hints []string
	}{
		{"empty", fstest.MapFS{}, nil},
		{"only other files", mapFS(map[string]string{"README.md": "x", ".gitkeep": ""}), nil},
		{"parent of the folder", mapFS(map[string]string{
			"go.mod": "module x", "db/migrations/0001_a.sql": "SELECT 1;", "db/seeds/x.sql": "SELECT 1;",
			".git/objects/x.sql": "", "node_modules/p/x.sql": "",
		}), []string{"db/migrations", "db/seeds"}},
		{"embed.FS without fs.Sub", mapFS(map[string]string{"migrations/0001_a.sql": "SELECT 1;", "migrations/0002_b.sql": "SELECT 1;"}), []string{"migrations"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.fsys)
			if !errors.Is(err, ErrNoMigrations) {
				t.Fatalf("Load: got %v, want ErrNoMigrations", err)
			}
			var ne *NoMigrationsError
			if !errors.As(err, &ne) || !reflect.DeepEqual(ne.Subfolders, tt.hints) {
				t.Fatalf("got %#v, want subfolders %q", err, tt.hints)
			}
			d, err := LoadWith(tt.fsys, LoadOptions{AllowEmpty: true})
			if err != nil || len(d.Versioned)+len(d.Repeatable) != 0 {
				t.Fatalf("AllowEmpty: got %v, %v", d, err)
			}
		})
	}
	// Only repeatable migrations are migrations too.
	if _, err := Load(mapFS(map[string]string{"R__v.sql": "SELECT 1;"})); err != nil {
		t.Fatal(err)
	}
	// A folder with bad files reports them, not emptiness.
	_, err := Load(mapFS(map[string]string{"create.sql": "SELECT 1;"}))
	if err == nil || errors.Is(err, ErrNoMigrations) {
		t.Fatalf("got %v, want the bad name", err)
	}
}
