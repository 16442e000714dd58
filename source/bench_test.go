package source

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchFiles returns n small migrations, a tenth with down files.
func benchFiles(n int) map[string]string {
	files := make(map[string]string, n+n/10)
	for i := 1; i <= n; i++ {
		up := fmt.Sprintf("-- migration %d\r\n-- strata:lock-timeout 5s\r\nCREATE TABLE t%d (\r\n  id bigint PRIMARY KEY,\r\n  name text NOT NULL DEFAULT 'héllo'\r\n);\r\nCREATE INDEX t%d_name ON t%d (name);\r\n", i, i, i, i)
		files[fmt.Sprintf("%06d_create_t%d.sql", i, i)] = up
		if i%10 == 0 {
			files[fmt.Sprintf("%06d_create_t%d.down.sql", i, i)] = fmt.Sprintf("DROP TABLE t%d;\n", i)
		}
	}
	return files
}

func BenchmarkLoad1000(b *testing.B) { benchLoad(b, 1000) }

// BenchmarkLoad100000 loads a folder of 100,000 migrations (writing it
// first takes a few seconds).
func BenchmarkLoad100000(b *testing.B) { benchLoad(b, 100_000) }

// benchLoad loads n files from memory, and from disk through os.DirFS and
// DirFS, each without and with a warm checksum cache (where only the
// files' states are read).
func benchLoad(b *testing.B, n int) {
	files := benchFiles(n)
	dir := b.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	cache := LoadOptions{CacheFile: filepath.Join(b.TempDir(), "cache"), CacheKey: dir,
		now: func() time.Time { return time.Now().Add(time.Minute) }} // the files count as old
	for _, bc := range []struct {
		name string
		fsys fs.FS
		opts LoadOptions
	}{
		{"MapFS", mapFS(files), LoadOptions{}},
		{"os.DirFS", os.DirFS(dir), LoadOptions{}},
		{"os.DirFS-cached", os.DirFS(dir), cache},
		{"DirFS", DirFS(dir), LoadOptions{}},
		{"DirFS-cached", DirFS(dir), cache},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.opts.CacheFile != "" {
				if _, err := LoadWith(bc.fsys, bc.opts); err != nil { // fill the cache
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				d, err := LoadWith(bc.fsys, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Versioned) != n {
					b.Fatalf("loaded %d", len(d.Versioned))
				}
			}
		})
	}
}
