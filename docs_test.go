package strata

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestStatesDocumented checks that docs/concepts.md's States table has a
// row for every State constant, found in the source so a new state cannot
// be forgotten.
func TestStatesDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("docs/concepts.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "## States")
	if start < 0 {
		t.Fatal("docs/concepts.md has no States section")
	}
	table := doc[start:]
	if end := strings.Index(table[1:], "\n## "); end >= 0 {
		table = table[:end+1]
	}
	var firstCells []string
	for _, line := range strings.Split(table, "\n") {
		if cell, ok := strings.CutPrefix(line, "| "); ok {
			cell, _, _ = strings.Cut(cell, " |")
			firstCells = append(firstCells, cell)
		}
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "status.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "State" || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok {
				continue
			}
			state, _ := strconv.Unquote(lit.Value)
			n++
			found := false
			for _, cell := range firstCells {
				found = found || strings.Contains(cell, "`"+state+"`")
			}
			if !found {
				t.Errorf("docs/concepts.md's States table has no row for %s (%q)", vs.Names[0].Name, state)
			}
		}
	}
	if n < 8 {
		t.Fatalf("found only %d State constants in status.go", n)
	}
}
