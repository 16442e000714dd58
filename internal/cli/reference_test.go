package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/cli from the command tree")

// TestCLIReference checks that docs/cli is what the command tree
// generates. After changing a command's help or flags, run
//
//	go test ./internal/cli -run TestCLIReference -update
func TestCLIReference(t *testing.T) {
	const dir = "../../docs/cli"
	want := Reference(Root())
	if *update {
		old, _ := filepath.Glob(filepath.Join(dir, "strata*.md"))
		for _, f := range old {
			os.Remove(f)
		}
		if err := WriteReference(dir); err != nil {
			t.Fatal(err)
		}
	}
	have, _ := filepath.Glob(filepath.Join(dir, "strata*.md"))
	for _, f := range have {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("%s documents no command: go test ./internal/cli -run TestCLIReference -update removes it", f)
		}
	}
	for name, body := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("docs/cli/%s is out of date with the command tree: run go test ./internal/cli -run TestCLIReference -update", name)
		}
	}
}
