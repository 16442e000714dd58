package importer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	c, err := Convert(Goose, mapFS(gooseFolder), ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		prepare func(dir string) error
		wantErr bool
	}{
		{"new directory", func(string) error { return nil }, false},
		{"empty directory", func(dir string) error { return os.Mkdir(dir, 0o755) }, false},
		{"not empty", func(dir string) error {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "0001_x.sql"), []byte("SELECT 1;"), 0o644)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			if err := tt.prepare(dir); err != nil {
				t.Fatal(err)
			}
			err := c.Write(dir)
			var ne *NotEmptyError
			if tt.wantErr {
				if !errors.As(err, &ne) {
					t.Fatalf("Write = %v, want *NotEmptyError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := []string{"00001_create_users.down.sql", "00001_create_users.sql", "00002_touch_function.down.sql",
				"00002_touch_function.sql", "00003_backfill.sql", "00004_email_index.down.sql", "00004_email_index.sql",
				"00005_comment_only.down.sql", "00005_comment_only.sql"}
			if !slices.Equal(names, want) {
				t.Errorf("wrote %q, want %q", names, want)
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tool  Tool
		files map[string]string
		check func(error) bool
	}{
		{"unknown tool", "rails", nil, func(err error) bool { var e *UnknownToolError; return errors.As(err, &e) }},
		{"empty folder", Goose, map[string]string{"README.md": "x"}, func(err error) bool { return errors.Is(err, ErrNoMigrations) }},
		{"duplicate version", Flyway, map[string]string{"V1__a.sql": "SELECT 1;", "V1.0__b.sql": "SELECT 2;"},
			func(err error) bool { var e *DuplicateError; return errors.As(err, &e) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Convert(tt.tool, mapFS(tt.files), ConvertOptions{})
			if err == nil || !tt.check(err) {
				t.Errorf("Convert = %v", err)
			}
		})
	}
}

func TestLongNamesShortened(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 200) // 400 bytes
	c, err := Convert(Flyway, mapFS(map[string]string{"V1__" + long + ".sql": "SELECT 1;\n"}), ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Files[0].UpName()); n > 255 || !utf8.ValidString(c.Files[0].Name) {
		t.Fatalf("name of %d bytes, valid UTF-8 %v", n, utf8.ValidString(c.Files[0].Name))
	}
	writeAndLoad(t, c)
}
