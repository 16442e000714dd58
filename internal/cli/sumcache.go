package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
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
	abs, err := filepath.Abs(a.dir)
	if err != nil {
		return source.LoadOptions{}, nil
	}
	bi := buildVersion()
	o := source.LoadOptions{CacheFile: a.sumCache, CacheKey: abs + "\x00" + bi.Version + "\x00" + bi.Commit}
	if a.sumCache == "auto" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return source.LoadOptions{}, nil
		}
		sum := sha256.Sum256([]byte(abs))
		o.CacheFile = filepath.Join(dir, "strata", "checksums", hex.EncodeToString(sum[:16]))
	}
	return o, nil
}
