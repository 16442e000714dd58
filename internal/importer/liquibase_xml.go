package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// lbRef is an include or includeAll element of an XML changelog.
type lbRef struct {
	target string // resolved path within the FS
	all    bool
	line   int
}

// xmlChangelog is what an XML changelog holds that the conversion uses.
type xmlChangelog struct {
	refs       []lbRef
	changeSets []int // lines of <changeSet> elements
}

// parseXMLChangelog reads the include, includeAll and changeSet elements
// of the XML changelog at p.
func parseXMLChangelog(p string, data []byte) (*xmlChangelog, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	out := &xmlChangelog{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		line, _ := d.InputPos()
		attr := func(name string) string {
			for _, a := range se.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		switch se.Name.Local {
		case "include", "includeAll":
			all := se.Name.Local == "includeAll"
			target := attr("file")
			if all {
				target = attr("path")
			}
			out.refs = append(out.refs, lbRef{target: resolveLB(p, target, attr("relativeToChangelogFile") == "true"), all: all, line: line})
		case "changeSet":
			out.changeSets = append(out.changeSets, line)
		}
	}
}

// resolveLB resolves an include path the way Liquibase does against a
// search path rooted at the FS: relative to the including changelog when
// asked, else from the root ("classpath:" and a leading "/" dropped).
func resolveLB(from, target string, relative bool) string {
	target = strings.TrimPrefix(target, "classpath:")
	if relative {
		return path.Clean(path.Join(path.Dir(from), target))
	}
	return path.Clean(strings.TrimLeft(target, "/"))
}

// liquibaseOrder returns the formatted-SQL changelogs in the order
// Liquibase runs them: every changelog no other one includes is a root,
// roots in path order, each followed depth-first by what it includes (an
// includeAll in path order). sqlLogs are the formatted-SQL changelogs
// found, xmlLogs the XML ones with their includes.
func (st *convState) liquibaseOrder(src fs.FS, sqlLogs []string, xmlLogs map[string]*xmlChangelog) []string {
	isChangelog := func(p string) bool {
		_, x := xmlLogs[p]
		return x || slices.Contains(sqlLogs, p)
	}
	expand := func(from string, r lbRef) []string {
		if !r.all {
			if !isChangelog(r.target) {
				if !st.excluded(r.target) {
					st.problem(from, r.line, Unsupported, "included changelog %s is not a formatted SQL or XML changelog in the folder", r.target)
				}
				return nil
			}
			return []string{r.target}
		}
		var out []string
		for _, p := range append(slices.Clone(sqlLogs), mapKeys(xmlLogs)...) {
			if strings.HasPrefix(p, strings.TrimSuffix(r.target, "/")+"/") || r.target == "." {
				out = append(out, p)
			}
		}
		slices.Sort(out)
		return out
	}
	included := map[string]bool{}
	for from, x := range xmlLogs {
		for _, r := range x.refs {
			for _, t := range expand(from, r) {
				if t != from {
					included[t] = true
				}
			}
		}
	}
	var roots []string
	for _, p := range append(slices.Clone(sqlLogs), mapKeys(xmlLogs)...) {
		if !included[p] {
			roots = append(roots, p)
		}
	}
	slices.Sort(roots)
	var order []string
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		x, ok := xmlLogs[p]
		if !ok {
			order = append(order, p)
			return
		}
		for _, r := range x.refs {
			for _, t := range expand(p, r) {
				visit(t)
			}
		}
	}
	for _, r := range roots {
		visit(r)
	}
	return order
}

// mapKeys returns the keys of m.
func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
