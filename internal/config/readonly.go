package config

import (
	"errors"
	"fmt"
	"os"
)

// MissingFileError says that a read-only command was given a SQLite file
// that does not exist. Read-only commands never create it.
type MissingFileError struct {
	Path string
}

func (e *MissingFileError) Error() string {
	return fmt.Sprintf("sqlite file %s does not exist: check --url (or STRATA_DATABASE_URL, DATABASE_URL, url in strata.toml); strata up creates it", e.Path)
}

// ReadOnly makes the target open its database for reading only, for
// commands that must change nothing (status, check, plan, history, ...).
// A SQLite file is opened with mode=ro and query_only, so that a mistyped
// path is not created and nothing can be written; a file that does not
// exist is a *MissingFileError. PostgreSQL and MySQL targets are left as
// they are: what a command runs there decides what it changes.
//
// With absentIsEmpty (the implicit default database, sqlite:strata.db,
// before the first strata up), a file that does not exist reads as an
// empty database, nothing applied, and is still not created.
func (t *Target) ReadOnly(absentIsEmpty bool) error {
	if t.file == "" || t.Memory || t.ro { // only a SQLite target has a file
		return nil
	}
	if err := t.FileExists(); err != nil {
		var missing *MissingFileError
		if !absentIsEmpty || !errors.As(err, &missing) {
			return err
		}
		t.DSN, t.Memory, t.ro = "file::memory:?"+sqlitePragmas+"&_pragma=query_only(1)", true, true
		return nil
	}
	t.DSN += "&mode=ro&_pragma=query_only(1)"
	t.ro = true
	return nil
}

// FileExists checks that a SQLite target's file exists, so that a command
// that must not create it can say so: a *MissingFileError when it does not.
// It is nil for other databases and in-memory SQLite.
func (t *Target) FileExists() error {
	if t.file == "" || t.Memory { // only a SQLite target has a file
		return nil
	}
	fi, err := os.Stat(t.filePath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &MissingFileError{Path: t.file}
	case err != nil:
		return fmt.Errorf("sqlite file %s: %w", t.file, err)
	case fi.IsDir():
		return fmt.Errorf("sqlite file %s is a folder: check --url", t.file)
	}
	return nil
}

// Explicit reports whether the database URL was given (by flag,
// environment variable or configuration file) rather than defaulted.
func (s Source) Explicit() bool {
	return s.Kind != "" && s.Kind != FromDefault
}
