package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

// mapFS builds an in-memory folder from name -> content.
func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, s := range files {
		m[name] = &fstest.MapFile{Data: []byte(s), Mode: 0o644}
	}
	return m
}

// writeAndLoad writes c to a new directory and loads it with strata's
// source package, failing the test on any error.
func writeAndLoad(t *testing.T, c *Conversion) (*source.Dir, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "strata")
	if err := c.Write(dir); err != nil {
		t.Fatalf("Write: %v", err)
	}
	d, err := source.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("source.Load of the converted folder: %v", err)
	}
	return d, dir
}

// splitFile returns the normalized statements strata runs for file.
func splitFile(t *testing.T, dir, name string, d sqlsplit.Dialect) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := sqlsplit.Split(string(data), sqlsplit.Options{Dialect: d})
	if err != nil {
		t.Fatalf("split %s: %v", name, err)
	}
	out := make([]string, 0, len(stmts))
	for _, s := range stmts {
		out = append(out, normStatement(s.Text))
	}
	return out
}

// problemKinds returns "file:line:kind" for each problem of err.
func problemKinds(t *testing.T, err error) []string {
	t.Helper()
	var ue *UnconvertibleError
	if !errors.As(err, &ue) {
		t.Fatalf("want *UnconvertibleError, got %v", err)
	}
	var out []string
	for _, p := range ue.Problems {
		out = append(out, p.File+":"+strconv.Itoa(p.Line)+":"+string(p.Kind))
	}
	return out
}

// findFile returns the converted file whose up name starts with prefix.
func findFile(t *testing.T, c *Conversion, prefix string) *File {
	t.Helper()
	for i := range c.Files {
		if strings.HasPrefix(c.Files[i].UpName(), prefix) {
			return &c.Files[i]
		}
	}
	t.Fatalf("no converted file %s*", prefix)
	return nil
}

// mustVersion parses a strata version.
func mustVersion(t *testing.T, s string) source.Version {
	t.Helper()
	v, err := source.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
