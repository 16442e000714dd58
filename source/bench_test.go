package source

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// benchFiles returns 1,000 small migrations, a tenth with down files.
func benchFiles() map[string]string {
	files := make(map[string]string, 1100)
	for i := 1; i <= 1000; i++ {
		up := fmt.Sprintf("-- migration %d\r\n-- strata:lock-timeout 5s\r\nCREATE TABLE t%d (\r\n  id bigint PRIMARY KEY,\r\n  name text NOT NULL DEFAULT 'héllo'\r\n);\r\nCREATE INDEX t%d_name ON t%d (name);\r\n", i, i, i, i)
		files[fmt.Sprintf("%04d_create_t%d.sql", i, i)] = up
		if i%10 == 0 {
			files[fmt.Sprintf("%04d_create_t%d.down.sql", i, i)] = fmt.Sprintf("DROP TABLE t%d;\n", i)
		}
	}
	return files
}

func BenchmarkLoad1000(b *testing.B) {
	files := benchFiles()
	dir := b.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		fsys fs.FS
	}{{"MapFS", mapFS(files)}, {"DirFS", os.DirFS(dir)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := Load(bc.fsys)
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Versioned) != 1000 {
					b.Fatalf("loaded %d", len(d.Versioned))
				}
			}
		})
	}
}
