package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/strata-db/strata/source"
)

// loadOptions is how the migrations folder is loaded, per --checksum-cache
// (docs/checksums.md): with "auto", the cache is a file in the user cache
// folder named after the folder's absolute path, and no cache when there
// is no user cache folder. The key also names the strata build, so another
// release never trusts this one's entries.
func (a *app) loadOptions() (source.LoadOptions, error) {
	switch {
	case a.sumCache == "off" || a.sumCache == "":
		return source.LoadOptions{}, nil
	case a.sumCache != "auto" && !strings.ContainsRune(a.sumCache, filepath.Separator) && !strings.ContainsRune(a.sumCache, '/'):
		return source.LoadOptions{}, usage(fmt.Errorf("--checksum-cache %q: give auto, off or a file path such as ./strata-checksums", a.sumCache))
	}
	abs, err := filepath.Abs(a.path(a.dir))
	if err != nil {
		return source.LoadOptions{}, nil
	}
	bi := buildVersion()
	o := source.LoadOptions{CacheFile: a.path(a.sumCache), CacheKey: abs + "\x00" + bi.Version + "\x00" + bi.Commit}
	if a.sumCache == "auto" {
		dir, err := a.userCacheDir()
		if err != nil {
			return source.LoadOptions{}, nil
		}
		sum := sha256.Sum256([]byte(abs))
		o.CacheFile = filepath.Join(dir, "strata", "checksums", hex.EncodeToString(sum[:16]))
	}
	return o, nil
}

// userCacheDir is os.UserCacheDir read from the invocation's environment
// rather than the process's, where the two can differ (Linux and the other
// Unix systems); elsewhere it is os.UserCacheDir.
func (a *app) userCacheDir() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		return os.UserCacheDir()
	}
	if d, ok := a.env.Lookup("XDG_CACHE_HOME"); ok && filepath.IsAbs(d) {
		return d, nil
	}
	if h, ok := a.env.Lookup("HOME"); ok {
		return filepath.Join(h, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME is set")
}
