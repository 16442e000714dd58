package source

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countRawFS is DirFS counting the files Load opens.
type countRawFS struct {
	*osDir
	opens atomic.Int64
}

func (c *countRawFS) openRaw(name string) (rawFile, error) {
	c.opens.Add(1)
	return c.osDir.openRaw(name)
}

// countFS is os.DirFS counting the files it opens.
type countFS struct {
	fsys  fs.FS
	opens atomic.Int64
}

func (c *countFS) Open(name string) (fs.File, error) {
	if name != "." {
		c.opens.Add(1)
	}
	return c.fsys.Open(name)
}

func (c *countFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(c.fsys, name) }

func (c *countFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }

// cacheDir is a folder of migrations and a cache file for it.
type cacheDir struct {
	t     *testing.T
	dir   string
	cache string
	later time.Duration // how far the tests' clock runs ahead of the files
	raw   bool          // load through DirFS rather than os.DirFS
}

// forEachFS runs f with os.DirFS and with DirFS.
func forEachFS(t *testing.T, f func(t *testing.T, raw bool)) {
	if !cacheSupported {
		t.Skip("no checksum cache on this platform")
	}
	t.Run("os.DirFS", func(t *testing.T) { f(t, false) })
	t.Run("DirFS", func(t *testing.T) { f(t, true) })
}

func newCacheDir(t *testing.T, raw bool, files map[string]string) *cacheDir {
	t.Helper()
	c := &cacheDir{t: t, dir: t.TempDir(), later: time.Minute, raw: raw}
	c.cache = filepath.Join(t.TempDir(), "sub", "cache")
	for name, content := range files {
		c.write(name, content)
	}
	return c
}

func (c *cacheDir) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cacheDir) opts() LoadOptions {
	return LoadOptions{CacheFile: c.cache, CacheKey: c.dir, now: func() time.Time { return time.Now().Add(c.later) }}
}

// load loads the folder with the cache and returns it and how many files
// were opened.
func (c *cacheDir) load() (*Dir, int) {
	c.t.Helper()
	var fsys fs.FS
	var opens *atomic.Int64
	if c.raw {
		r := &countRawFS{osDir: DirFS(c.dir).(*osDir)}
		fsys, opens = r, &r.opens
	} else {
		o := &countFS{fsys: os.DirFS(c.dir)}
		fsys, opens = o, &o.opens
	}
	d, err := LoadWith(fsys, c.opts())
	if err != nil {
		c.t.Fatal(err)
	}
	return d, int(opens.Load())
}

// same fails unless a and b loaded the same migrations.
func same(t *testing.T, a, b *Dir) {
	t.Helper()
	strip := func(d *Dir) []Migration {
		var out []Migration
		for _, m := range append(append([]*Migration{}, d.Versioned...), d.Repeatable...) {
			out = append(out, *m)
		}
		return out
	}
	if !reflect.DeepEqual(strip(a), strip(b)) {
		t.Fatalf("loads differ:\n%+v\n%+v", strip(a), strip(b))
	}
}

var cacheFiles = map[string]string{
	"0001_a.sql":      "CREATE TABLE a (id int);\n",
	"0001_a.down.sql": "DROP TABLE a;\r\n",
	"0002_b.sql":      "-- strata:no-transaction\n-- strata:lock-timeout 7s\n-- strata:phase post-deploy\nCREATE INDEX CONCURRENTLY b ON a (id);\n",
	"R__view.sql":     "CREATE OR REPLACE VIEW v AS SELECT 1;\n",
}

func TestCacheSkipsUnchangedFiles(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		first, opened := c.load()
		if opened != 4 {
			t.Fatalf("first load opened %d files, want 4", opened)
		}
		want, err := Load(os.DirFS(c.dir))
		if err != nil {
			t.Fatal(err)
		}
		same(t, first, want)
		again, opened := c.load()
		if opened != 0 {
			t.Fatalf("second load opened %d files, want 0 (all cached)", opened)
		}
		same(t, again, want)
		if m := again.Find(mustVersion(t, "2")); !m.Directives.NoTransaction || m.Directives.LockTimeout != 7*time.Second ||
			m.Directives.Phase != PostDeploy || m.Phase != PostDeploy {
			t.Fatalf("cached directives %+v", m.Directives)
		}
		info, err := os.Stat(c.cache)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("cache file mode %v, want 0600", info.Mode().Perm())
		}
	})
}

// TestCacheCatchesSameSizeEdit: an edit that keeps the size, and even one
// that also puts the modification time back, is read again: the
// status-change time moved.
func TestCacheCatchesSameSizeEdit(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		c.load()
		path := filepath.Join(c.dir, "0001_a.sql")
		before, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // past the file system's timestamp tick
		c.write("0001_a.sql", "CREATE TABLE b (id int);\n")
		if err := os.Chtimes(path, before.ModTime(), before.ModTime()); err != nil {
			t.Fatal(err)
		}
		after, _ := os.Stat(path)
		if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
			t.Fatal("the edit changed the size or the modification time")
		}
		d, opened := c.load()
		if opened != 1 {
			t.Fatalf("opened %d files, want the edited one", opened)
		}
		want, _ := Load(os.DirFS(c.dir))
		same(t, d, want)
		if d.Find(mustVersion(t, "1")).Checksum == mustLoad(t, cacheFiles).Find(mustVersion(t, "1")).Checksum {
			t.Fatal("the edit was not seen")
		}
	})
}

func mustLoad(t *testing.T, files map[string]string) *Dir {
	t.Helper()
	d, err := Load(mapFS(files))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCacheCatchesReplacedFile: a file replaced by another with the same
// size and times (a rename over it, a new inode) is read again.
func TestCacheCatchesReplacedFile(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		c.load()
		path := filepath.Join(c.dir, "0001_a.sql")
		before, _ := os.Stat(path)
		tmp := filepath.Join(c.dir, ".new")
		if err := os.WriteFile(tmp, []byte("CREATE TABLE z (id int);\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(tmp, before.ModTime(), before.ModTime()); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		d, opened := c.load()
		if opened != 1 {
			t.Fatalf("opened %d files, want the replaced one", opened)
		}
		want, _ := Load(os.DirFS(c.dir))
		same(t, d, want)
	})
}

// TestCacheSkipsFreshFiles: files changed within cacheMinAge of the run
// are read every time, so two edits in one timestamp tick cannot hide.
func TestCacheSkipsFreshFiles(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		c.later = 0
		c.load()
		if _, err := os.Stat(c.cache); !os.IsNotExist(err) {
			t.Fatalf("a cache file was written for fresh files (%v)", err)
		}
		if _, opened := c.load(); opened != 4 {
			t.Fatalf("opened %d files, want all 4", opened)
		}
	})
}

// TestCacheFollowsFolder: added, removed and broken files.
func TestCacheFollowsFolder(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		c.load()
		c.write("0003_c.sql", "SELECT 3;\n")
		if err := os.Remove(filepath.Join(c.dir, "R__view.sql")); err != nil {
			t.Fatal(err)
		}
		d, opened := c.load()
		if opened != 1 || len(d.Versioned) != 3 || len(d.Repeatable) != 0 {
			t.Fatalf("opened %d, loaded %d versioned, %d repeatable", opened, len(d.Versioned), len(d.Repeatable))
		}
		if _, opened := c.load(); opened != 0 {
			t.Fatalf("opened %d files, want 0", opened)
		}
		// A broken file is never cached: it fails every time.
		c.write("0004_bad.sql", "SELECT 1;\n-- \xff\n")
		for range 2 {
			_, err := LoadWith(os.DirFS(c.dir), c.opts())
			if err == nil || !strings.Contains(err.Error(), "0004_bad.sql:2: invalid UTF-8") {
				t.Fatalf("error %v", err)
			}
		}
	})
}

// TestCacheIgnoresBadCacheFiles: a cache file that is corrupt, truncated,
// written for another folder or format, or writable by others is not
// used (every file is read) and a good one replaces it.
func TestCacheIgnoresBadCacheFiles(t *testing.T) {
	if !cacheSupported {
		t.Skip("no checksum cache on this platform")
	}
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, c *cacheDir, data []byte)
	}{
		{"flipped byte", func(t *testing.T, c *cacheDir, data []byte) {
			data[len(data)/2] ^= 0x40
			os.WriteFile(c.cache, data, 0o600)
		}},
		{"truncated", func(t *testing.T, c *cacheDir, data []byte) {
			os.WriteFile(c.cache, data[:len(data)-7], 0o600)
		}},
		{"empty", func(t *testing.T, c *cacheDir, data []byte) {
			os.WriteFile(c.cache, nil, 0o600)
		}},
		{"not a cache", func(t *testing.T, c *cacheDir, data []byte) {
			os.WriteFile(c.cache, []byte("CREATE TABLE x (id int);\n"), 0o600)
		}},
		{"other folder", func(t *testing.T, c *cacheDir, data []byte) {
			other := newCacheDir(t, false, cacheFiles)
			other.cache = c.cache
			other.load() // rewrites c.cache for the other folder
		}},
		{"other format", func(t *testing.T, c *cacheDir, data []byte) {
			data[len(cacheMagic)]++
			binaryFix(data)
			os.WriteFile(c.cache, data, 0o600)
		}},
		{"writable by others", func(t *testing.T, c *cacheDir, data []byte) {
			os.Chmod(c.cache, 0o666)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCacheDir(t, false, cacheFiles)
			c.load()
			data, err := os.ReadFile(c.cache)
			if err != nil {
				t.Fatal(err)
			}
			tc.spoil(t, c, data)
			d, opened := c.load()
			if opened != 4 {
				t.Fatalf("opened %d files, want all 4: the cache was trusted", opened)
			}
			want, _ := Load(os.DirFS(c.dir))
			same(t, d, want)
			if _, opened := c.load(); opened != 0 {
				t.Fatalf("opened %d files after the cache was rewritten, want 0", opened)
			}
		})
	}
}

// binaryFix recomputes a cache file's trailing CRC after a test changed
// its content on purpose.
func binaryFix(data []byte) {
	binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.ChecksumIEEE(data[:len(data)-4]))
}

// TestCacheRoundTrip: what is written is read back unchanged.
func TestCacheRoundTrip(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		c.load()
		data, _ := os.ReadFile(c.cache)
		entries, ok := decodeCache(data, c.dir)
		if !ok || len(entries) != 4 {
			t.Fatalf("decode: %v, %d entries", ok, len(entries))
		}
		var pes []pathEntry
		for i := range entries {
			pes = append(pes, pathEntry{string(entries[i].name), &entries[i]})
		}
		if re := encodeCache(c.dir, pes); !bytes.Equal(re, data) {
			t.Fatal("encode(decode(cache)) differs from the cache")
		}
	})
}

// TestCacheUnwritable: a cache that cannot be written costs only time.
func TestCacheUnwritable(t *testing.T) {
	forEachFS(t, func(t *testing.T, raw bool) {
		c := newCacheDir(t, raw, cacheFiles)
		blocker := filepath.Join(t.TempDir(), "file")
		os.WriteFile(blocker, nil, 0o600)
		c.cache = filepath.Join(blocker, "cache") // a folder that is a file
		for range 2 {
			if _, opened := c.load(); opened != 4 {
				t.Fatalf("opened %d, want 4", opened)
			}
		}
	})
}

// TestCacheFormatCoversDirectives: the cache stores every field of
// Directives. A new field needs a new cacheFormat and its encoding.
func TestCacheFormatCoversDirectives(t *testing.T) {
	if n := reflect.TypeFor[Directives]().NumField(); n != 3 {
		t.Fatalf("Directives has %d fields; the checksum cache stores 3: encode the new one in cache.go and bump cacheFormat", n)
	}
}

// TestLoadErrorsDeterministic: with many files read in parallel, the
// errors name file:line and come in the same order every time.
func TestLoadErrorsDeterministic(t *testing.T) {
	files := map[string]string{}
	for i := 1; i <= 300; i++ {
		files[fmt.Sprintf("%04d_f.sql", i)] = "SELECT 1;\n"
	}
	files["0007_f.sql"] = "SELECT 1;\n\nSELECT '\xc3';\n"
	files["0150_f.sql"] = "-- strata:no-such-thing\nSELECT 1;\n"
	files["0299_f.sql"] = "-- strata:lock-timeout soon\n"
	files["0150_f.down.sql"] = "SELECT \xff;\n"
	want := "0007_f.sql:3: invalid UTF-8 (byte 0xc3 at byte offset 19): save the file as UTF-8\n" +
		"0150_f.sql:1: unknown directive \"strata:no-such-thing\""
	var first string
	for i := range 20 {
		_, err := Load(mapFS(files))
		if err == nil {
			t.Fatal("no error")
		}
		if i == 0 {
			first = err.Error()
			if !strings.HasPrefix(first, want) || !strings.Contains(first, "\n0299_f.sql:1: strata:lock-timeout") ||
				!strings.HasSuffix(first, "\n0150_f.down.sql:1: invalid UTF-8 (byte 0xff at byte offset 7): save the file as UTF-8") {
				t.Fatalf("errors:\n%s", first)
			}
		} else if err.Error() != first {
			t.Fatalf("run %d gave other errors:\n%s\nfirst:\n%s", i, err, first)
		}
	}
}

// FuzzDecodeCache: no cache file, however damaged, makes decoding panic,
// and what decodes encodes back to the same bytes.
func FuzzDecodeCache(f *testing.F) {
	e := cacheEntry{key: fileKey{dev: 1, ino: 2, mode: 0o100644, size: 3, mtime: 4, ctime: 5}, size: 3,
		dirs: Directives{NoTransaction: true, LockTimeout: time.Second}}
	f.Add(encodeCache("k", []pathEntry{{"0001_a.sql", &e}, {"0002_b.sql", &e}}))
	f.Add(encodeCache("k", nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, ok := decodeCache(data, "k")
		if !ok {
			return
		}
		var pes []pathEntry
		for i := range entries {
			pes = append(pes, pathEntry{string(entries[i].name), &entries[i]})
		}
		if re := encodeCache("k", pes); !bytes.Equal(re, data) {
			t.Fatalf("decoded %d entries that encode differently", len(entries))
		}
	})
}
