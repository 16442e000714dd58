package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestGlobalFlagsDocumented checks that docs/cli.md's global flags table
// has a row for every global flag, with its environment variable.
func TestGlobalFlagsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "## Global flags")
	if start < 0 {
		t.Fatal("docs/cli.md has no Global flags section")
	}
	table := doc[start:]
	if end := strings.Index(table[1:], "\n## "); end >= 0 {
		table = table[:end+1]
	}
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cell, _, _ := strings.Cut(line[2:], " |")
		for _, name := range strings.Split(cell, ", ") {
			name = strings.Trim(name, "`")
			name, _, _ = strings.Cut(name, " ")
			rows[name] = line
		}
	}
	n := 0
	Root().PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		n++
		row, ok := rows["--"+f.Name]
		if !ok {
			t.Errorf("docs/cli.md's global flags table has no row for --%s (%s)", f.Name, f.Usage)
			return
		}
		env := "STRATA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if f.Name != "url" && !strings.Contains(row, env) {
			t.Errorf("docs/cli.md: the row for --%s does not name %s:\n%s", f.Name, env, row)
		}
	})
	if n < 10 {
		t.Fatalf("found only %d global flags", n)
	}
}
