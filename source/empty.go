package source

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// ErrNoMigrations is what [Load] returns, wrapped in a [*NoMigrationsError],
// for a folder without a single migration file: most often the wrong
// folder, such as the parent of the real one or an embed.FS not narrowed
// with fs.Sub. LoadOptions.AllowEmpty accepts such a folder.
var ErrNoMigrations = errors.New("no migration files")

// NoMigrationsError is the error for a folder without migration files. It
// unwraps to [ErrNoMigrations].
type NoMigrationsError struct {
	// Subfolders are folders below the root (slash-separated paths within
	// the FS, nearest first) that hold .sql files: where the migrations
	// probably are.
	Subfolders []string
}

// Error says what is wrong and where the migrations may be.
func (e *NoMigrationsError) Error() string {
	msg := "no migration files (NNNN_description.sql or R__description.sql) at the top of the migrations folder"
	if len(e.Subfolders) > 0 {
		msg += "; subfolders with .sql files: " + strings.Join(e.Subfolders, ", ") +
			" (point at one of them; for an embed.FS, use fs.Sub)"
	}
	return msg
}

// Unwrap returns [ErrNoMigrations].
func (e *NoMigrationsError) Unwrap() error { return ErrNoMigrations }

// Limits of the search for subfolders holding .sql files.
const (
	maxSubfolderDepth   = 4
	maxSubfolderEntries = 10000
	maxSubfolders       = 5
)

// sqlSubfolders lists the folders below the root of fsys that hold .sql
// files, nearest first, skipping hidden folders and dependency trees and
// looking at no more than maxSubfolderEntries entries.
func sqlSubfolders(fsys fs.FS) []string {
	var found []string
	seen := 0
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		seen++
		if err != nil || seen > maxSubfolderEntries {
			if seen > maxSubfolderEntries {
				return fs.SkipAll
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" ||
				strings.Count(p, "/") >= maxSubfolderDepth) {
				return fs.SkipDir
			}
			return nil
		}
		dir := path.Dir(p)
		if dir != "." && !ignored(name) && !slices.Contains(found, dir) {
			found = append(found, dir)
		}
		return nil
	})
	slices.SortStableFunc(found, func(a, b string) int {
		if c := strings.Count(a, "/") - strings.Count(b, "/"); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(found) > maxSubfolders {
		found = found[:maxSubfolders]
	}
	return found
}
