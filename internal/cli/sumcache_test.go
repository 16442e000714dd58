package cli

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/strata-db/strata/internal/config"
)

func TestLoadOptions(t *testing.T) {
	// The cache folder comes from the run's environment, not the
	// process's.
	cacheHome := t.TempDir()
	env := config.Env{"XDG_CACHE_HOME": cacheHome, "HOME": t.TempDir()}
	dir := t.TempDir()
	for _, tc := range []struct {
		flag, file, err string
	}{
		{flag: "off"},
		{flag: ""},
		{flag: "./sums", file: "./sums"},
		{flag: "/tmp/x/sums", file: "/tmp/x/sums"},
		{flag: "of", err: `--checksum-cache "of": give auto, off or a file path`},
		{flag: "auto", file: "auto"},
	} {
		a := &app{dir: dir, sumCache: tc.flag, env: env}
		o, err := a.loadOptions()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.flag, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.flag, err)
		}
		switch {
		case tc.file == "":
			if o.CacheFile != "" {
				t.Errorf("%q: cache file %q, want none", tc.flag, o.CacheFile)
			}
		case tc.file == "auto":
			if runtime.GOOS == "linux" && filepath.Dir(o.CacheFile) != filepath.Join(cacheHome, "strata", "checksums") {
				t.Errorf("auto: cache file %q, want one in %s", o.CacheFile, cacheHome)
			}
		case o.CacheFile != tc.file:
			t.Errorf("%q: cache file %q", tc.flag, o.CacheFile)
		}
		if tc.file != "" && !strings.HasPrefix(o.CacheKey, dir+"\x00") {
			t.Errorf("%q: key %q does not start with the folder's absolute path", tc.flag, o.CacheKey)
		}
	}
	// Two folders never share an automatic cache file.
	a := &app{dir: dir, sumCache: "auto", env: env}
	b := &app{dir: t.TempDir(), sumCache: "auto", env: env}
	oa, _ := a.loadOptions()
	ob, _ := b.loadOptions()
	if oa.CacheFile == ob.CacheFile {
		t.Errorf("two folders share %s", oa.CacheFile)
	}
	// A relative folder and cache file are in the run's working
	// directory, whatever the process's is.
	wd := t.TempDir()
	c := &app{dir: "migrations", sumCache: "./sums", env: env, wd: wd}
	oc, err := c.loadOptions()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "sums"); oc.CacheFile != want {
		t.Errorf("cache file %q, want %q", oc.CacheFile, want)
	}
	if want := filepath.Join(wd, "migrations") + "\x00"; !strings.HasPrefix(oc.CacheKey, want) {
		t.Errorf("key %q does not start with %q", oc.CacheKey, want)
	}
}
