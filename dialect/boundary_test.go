package dialect_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// boundaryExempt are the files outside dialect/ that may name a database:
// the URL-scheme switch that picks the dialect.
var boundaryExempt = map[string]bool{
	"internal/config/url.go": true,
}

// testSupport are the folders of test helpers that create databases and
// start servers of each kind: they name them by design.
var testSupport = map[string]bool{
	"internal/testdb":     true,
	"internal/testserver": true,
}

// driverImporters are the files outside dialect/ that may import a
// database driver: besides the exempt ones, the one that opens connections.
var driverImporters = map[string]bool{
	"internal/config/open.go": true,
}

var (
	drivers    = regexp.MustCompile(`^"(github\.com/jackc/pgx|github\.com/go-sql-driver/mysql|modernc\.org/sqlite)`)
	dbNames    = map[string]bool{"postgres": true, "postgresql": true, "mysql": true, "mariadb": true, "sqlite": true, "sqlite3": true}
	catalogSQL = regexp.MustCompile(`(?i)\b(pg_catalog|pg_namespace|pg_database|pg_stat_\w+|pg_terminate_backend|pg_roles|information_schema|sqlite_master|sqlite_schema|sqlite_version|get_lock|show grants)\b`)
	sqlWords   = regexp.MustCompile(`(?i)\b(select|show|from|drop|create)\b`)
)

// TestDialectKnowledgeStaysInDialect: no Go file outside dialect/ (but the
// URL switch) branches on a database's name (a "postgres" in a case, a
// comparison or a map key), holds catalog SQL or imports a driver to read
// its error codes. A database's knowledge
// belongs to its dialect package, behind an optional interface in package
// dialect where only some databases have it.
func TestDialectKnowledgeStaysInDialect(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if e.IsDir() {
			if rel == "dialect" || testSupport[rel] || rel != "." && strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata" || e.Name() == "examples" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || boundaryExempt[rel] {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		report := func(n ast.Node, what string) {
			t.Errorf("%s: %s: move it into the dialect packages", fset.Position(n.Pos()), what)
		}
		name := func(x ast.Expr) (string, bool) {
			lit, ok := x.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(lit.Value)
			return s, err == nil && dbNames[strings.ToLower(s)]
		}
		for _, imp := range f.Imports {
			if drivers.MatchString(imp.Path.Value) && !driverImporters[rel] {
				report(imp, "import of the driver "+imp.Path.Value+" (to read its errors)")
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CaseClause:
				for _, x := range n.List {
					if s, ok := name(x); ok {
						report(x, "case "+strconv.Quote(s))
					}
				}
			case *ast.BinaryExpr:
				if n.Op == token.EQL || n.Op == token.NEQ {
					for _, x := range []ast.Expr{n.X, n.Y} {
						if s, ok := name(x); ok {
							report(x, "comparison with "+strconv.Quote(s))
						}
					}
				}
			case *ast.KeyValueExpr:
				if s, ok := name(n.Key); ok {
					report(n.Key, "map key "+strconv.Quote(s))
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING && catalogSQL.MatchString(n.Value) && sqlWords.MatchString(n.Value) {
					report(n, "catalog SQL "+catalogSQL.FindString(n.Value))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
