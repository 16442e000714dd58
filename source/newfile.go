package source

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// timestampLayout is the layout of timestamp versions (14 digits, UTC).
const timestampLayout = "20060102150405"

// NewFileName returns the file name for a new versioned migration with the
// given description, placed after d's head:
//
//   - in an empty directory (d nil or without versioned files) the
//     version is 0001;
//   - when the head's version is written as 14 digits (a timestamp such as
//     20240101120000) the version is now in UTC in that layout, or head+1
//     if that is not greater than the head;
//   - otherwise it is head+1, zero-padded to the width the head is written
//     with (00042_x.sql is followed by 00043_...).
//
// The description is slugified: lower case, spaces and dashes become
// underscores, and only a-z, 0-9, _ and . are kept. An empty slug, or a
// name that is already taken, is an error.
func NewFileName(d *Dir, description string, now time.Time) (string, error) {
	slug := slugify(description)
	if slug == "" {
		return "", fmt.Errorf("the description %q has no letters or digits: give the migration a name such as create_users", description)
	}
	var head *Migration
	if d != nil {
		head = d.Head()
	}
	version, width := Version{digits: "1"}, 4
	if head != nil {
		written := versionDigits(head.Path)
		width = len(written)
		version = head.Version.next()
		if width == len(timestampLayout) {
			ts, err := ParseVersion(now.UTC().Format(timestampLayout))
			if err == nil && ts.Compare(head.Version) > 0 {
				version = ts
			}
		}
	}
	digits := version.String()
	if n := width - len(digits); n > 0 {
		digits = strings.Repeat("0", n) + digits
	}
	name := digits + "_" + slug + ".sql"
	if d != nil {
		if d.FS != nil {
			if _, err := fs.Stat(d.FS, name); err == nil {
				return "", fmt.Errorf("%s already exists: choose another description", name)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("cannot check whether %s exists: %w", name, err)
			}
		}
	}
	return name, nil
}

// versionDigits returns the version digits at the start of a file name,
// as written (with zero padding).
func versionDigits(name string) string {
	n := 0
	for n < len(name) && name[n] >= '0' && name[n] <= '9' {
		n++
	}
	return name[:n]
}

// slugify turns a description into the part of a file name after "NNNN_".
func slugify(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		case r == ' ', r == '-', r == '_', r == '\t':
			// Collapse runs of separators into one underscore.
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
	}
	return strings.Trim(b.String(), "_.")
}
