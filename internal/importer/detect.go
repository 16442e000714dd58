package importer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// AmbiguousError is returned by Detect when a folder carries the marks of
// more than one tool, or of none.
type AmbiguousError struct {
	// Candidates are the tools with evidence, each with what was found;
	// empty when no tool's marks were found.
	Candidates map[Tool][]string
}

// Error lists the candidates and their evidence.
func (e *AmbiguousError) Error() string {
	if len(e.Candidates) == 0 {
		return "no migration tool recognised: no file carries goose, sql-migrate, dbmate, tern or Liquibase markers " +
			"or golang-migrate or Flyway names; name the tool explicitly"
	}
	var parts []string
	for _, t := range Tools() {
		if ev, ok := e.Candidates[t]; ok {
			parts = append(parts, fmt.Sprintf("%s (%s)", t, strings.Join(ev, "; ")))
		}
	}
	return "the folder fits more than one migration tool: " + strings.Join(parts, ", ") + "; name the tool explicitly"
}

// detectRules are the marks each tool leaves in a file: a line pattern.
var detectRules = []struct {
	tool Tool
	re   func() *regexp.Regexp
}{
	{Goose, lazyRegexp(`(?im)^\s*--.*\+goose\s+up\s*$`)},
	{SQLMigrate, lazyRegexp(`(?m)^-- \+migrate Up\b`)},
	{Dbmate, lazyRegexp(`(?m)^--\s*migrate:up\b`)},
	{Tern, lazyRegexp(`(?m)^---- (create above / drop below|tern: disable-tx) ----\r?$`)},
	{Liquibase, lazyRegexp(`(?i)\A\s*--\s*liquibase\s*formatted`)},
}

// maxDetectFiles bounds how many files Detect reads.
const maxDetectFiles = 10000

// detectHead is how much of a file Detect reads for markers.
const detectHead = 64 << 10

// Detect guesses the tool a folder was written for from its file names
// (golang-migrate's NNN_x.up.sql, Flyway's V1__x.sql, goose's NNN_x.go)
// and the markers inside its files (goose, sql-migrate, dbmate, tern,
// Liquibase), and returns the tool with the evidence found, such as
// "3 files with -- +goose Up (first 00001_init.sql)". A folder that fits
// several tools, or none, is an *AmbiguousError listing the candidates.
func Detect(src fs.FS) (Tool, []string, error) {
	type hits struct {
		n     int
		first string
	}
	found := map[Tool]map[string]*hits{}
	note := func(t Tool, what, file string) {
		if found[t] == nil {
			found[t] = map[string]*hits{}
		}
		h := found[t][what]
		if h == nil {
			h = &hits{first: file}
			found[t][what] = h
		}
		h.n++
	}
	count := 0
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if count++; count > maxDetectFiles {
			return fs.SkipAll
		}
		name := d.Name()
		root := !strings.Contains(p, "/")
		switch {
		case root && golangMigrateName().MatchString(name) && strings.HasSuffix(name, ".sql"):
			note(GolangMigrate, "files named N_name.up.sql/.down.sql", p)
		case flywayName().MatchString(name):
			note(Flyway, "files named V<version>__name.sql", p)
		case root && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			if _, _, _, ok := gooseVersion(name); ok {
				note(Goose, "Go migrations named N_name.go", p)
			}
		}
		switch strings.ToLower(path.Ext(name)) {
		case ".sql":
		case ".xml", ".yaml", ".yml", ".json":
			if head, err := readHead(src, p); err == nil && strings.Contains(head, "databaseChangeLog") {
				note(Liquibase, "Liquibase changelogs", p)
			}
			return nil
		default:
			return nil
		}
		head, err := readHead(src, p)
		if err != nil {
			return err
		}
		for _, r := range detectRules {
			if r.re().MatchString(head) {
				note(r.tool, "files with "+strings.Trim(markerName(r.tool), " "), p)
			}
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("read the migrations folder: %w", err)
	}
	// A goose or sql-migrate file is also a file whose name golang-migrate
	// or Flyway could claim only when named so; markers beat names.
	marked := []Tool{}
	for _, t := range []Tool{Goose, SQLMigrate, Dbmate, Tern, Liquibase} {
		if found[t] != nil {
			marked = append(marked, t)
		}
	}
	cands := map[Tool][]string{}
	for t, m := range found {
		if len(marked) > 0 && !slices.Contains(marked, t) && t != GolangMigrate {
			continue // names only, beaten by markers
		}
		var ev []string
		for what, h := range m {
			ev = append(ev, fmt.Sprintf("%d %s (first %s)", h.n, what, h.first))
		}
		slices.Sort(ev)
		cands[t] = ev
	}
	if len(cands) == 1 {
		for t, ev := range cands {
			return t, ev, nil
		}
	}
	return "", nil, &AmbiguousError{Candidates: cands}
}

// markerName is the marker Detect looks for, for the evidence text.
func markerName(t Tool) string {
	switch t {
	case Goose:
		return "-- +goose Up"
	case SQLMigrate:
		return "-- +migrate Up"
	case Dbmate:
		return "-- migrate:up"
	case Tern:
		return "---- create above / drop below ----"
	case Liquibase:
		return "--liquibase formatted sql"
	}
	return string(t)
}

// readHead returns the first detectHead bytes of a file.
func readHead(src fs.FS, p string) (string, error) {
	f, err := src.Open(p)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, detectHead))
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return string(b), nil
}
