package testserver

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// reconfigure matches SQL that changes a server's own settings for every
// session: what tests must only run on a private server.
var reconfigure = regexp.MustCompile(`(?i)\b(ALTER\s+SYSTEM|SET\s+GLOBAL|SET\s+PERSIST|SET\s+@@GLOBAL|pg_reload_conf)\b`)

// notExecuted are test files that hold such SQL only as text for a
// scanner or classifier, never run against a server.
var notExecuted = map[string]string{
	"dialect/mysql/strings_test.go": "SET GLOBAL sql_mode = ''",
}

// TestNoSharedServerReconfiguration: no test file outside this package
// holds SQL that reconfigures a server (ALTER SYSTEM, SET GLOBAL,
// pg_reload_conf, ...): such a test belongs on a private server started
// here, and its settings go in Options.Settings.
func TestNoSharedServerReconfiguration(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "internal/testserver/") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if !reconfigure.MatchString(line) {
				continue
			}
			if ok := notExecuted[rel]; ok != "" && strings.Contains(line, ok) {
				continue
			}
			t.Errorf("%s:%d reconfigures a server (%q): run it on a private server from internal/testserver, never on the shared ones",
				rel, i+1, strings.TrimSpace(line))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
