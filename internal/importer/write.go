package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// NotEmptyError is returned by Write for a target directory that already
// holds files: a conversion never overwrites or mixes with existing files.
type NotEmptyError struct {
	Dir string
}

// Error says what to do.
func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("%s is not empty: write the converted migrations to a new or empty directory", e.Dir)
}

// Write writes the converted files into dir in strata's layout
// (NNNN_name.sql, NNNN_name.down.sql, R__name.sql), creating dir when it
// does not exist. It refuses a directory that is not empty with a
// *NotEmptyError.
func (c *Conversion) Write(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	case err != nil:
		return fmt.Errorf("read %s: %w", dir, err)
	case len(entries) > 0:
		return &NotEmptyError{Dir: dir}
	}
	for i := range c.Files {
		f := &c.Files[i]
		if err := writeNew(filepath.Join(dir, f.UpName()), f.Up); err != nil {
			return err
		}
		if f.Down != nil {
			if err := writeNew(filepath.Join(dir, f.DownName()), f.Down); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeNew creates path, failing if it exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write converted migration: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write converted migration %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write converted migration %s: %w", path, err)
	}
	return nil
}
