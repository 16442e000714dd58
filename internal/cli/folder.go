package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/strata-db/strata/source"
)

// foreignHint follows the problems of a folder with another tool's files.
const foreignHint = "hint: these files were written for another migration tool; strata runs every " +
	"statement of a file, so each direction needs its own plain SQL file (NNNN_name.sql and " +
	"NNNN_name.down.sql, without the tool's markers): see \"Coming from another tool\" in docs/files.md"

// folderError is a problem with the migrations folder, worded for the
// command line; it wraps the library's error, so callers can still branch
// on it.
type folderError struct {
	msg string
	err error
}

func (e *folderError) Error() string { return e.msg }
func (e *folderError) Unwrap() error { return e.err }

// explainFolder words the library's folder problems for the command line:
// an empty folder names the subfolders the files may be in, as --dir
// values, and files written for another tool get a hint. Both are usage
// errors (exit 2). Other errors are returned as they are.
func (a *app) explainFolder(err error) error {
	var ne *source.NoMigrationsError
	if errors.As(err, &ne) {
		msg := fmt.Sprintf("the migrations folder %s has no migration files (NNNN_description.sql or R__description.sql)", a.dir)
		if len(ne.Subfolders) > 0 {
			dirs := make([]string, len(ne.Subfolders))
			for i, s := range ne.Subfolders {
				dirs[i] = filepath.Join(a.dir, filepath.FromSlash(s))
			}
			msg += fmt.Sprintf("; .sql files are in %s: did you mean --dir %s?", strings.Join(dirs, ", "), dirs[0])
		} else {
			msg += ": check --dir, or create the first file with strata new NAME"
		}
		msg += " To run with no migrations on purpose, pass --allow-empty (or set allow-empty = true in strata.toml)."
		return usage(&folderError{msg: msg, err: err})
	}
	var fe *source.ForeignError
	if errors.As(err, &fe) {
		return usage(&folderError{msg: err.Error() + "\n" + foreignHint, err: err})
	}
	if errors.As(err, new(*source.FileError)) {
		// A file the folder cannot be loaded with is a mistake in the
		// folder (exit 2); one strata cannot split while it runs is a
		// failed migration (exit 4).
		return usage(err)
	}
	return err
}
