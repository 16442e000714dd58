package source

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode"
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
// underscores, Latin letters with accents are written without them (café
// becomes cafe, Größe grosse), letters of other scripts are kept, and
// punctuation is dropped. An empty slug, or a name that is already taken,
// is an error.
func NewFileName(d *Dir, description string, now time.Time) (string, error) {
	return NewFileNameWith(d, description, now, NewFileOptions{})
}

// NewFileOptions change how [NewFileNameWith] numbers a new file.
type NewFileOptions struct {
	// Timestamp numbers the file with now in UTC as YYYYMMDDHHMMSS (or
	// the head's version + 1 when that is not greater), whatever style
	// the folder uses.
	Timestamp bool
}

// NewFileNameWith is [NewFileName] with options.
func NewFileNameWith(d *Dir, description string, now time.Time, opts NewFileOptions) (string, error) {
	slug := slugify(description)
	if slug == "" {
		return "", fmt.Errorf("the description %q has no letters or digits: give the migration a name such as create_users", description)
	}
	var head *Migration
	if d != nil {
		head = d.Head()
	}
	version, width := Version{digits: "1"}, 4
	if opts.Timestamp {
		version, width = timestampVersion(now), len(timestampLayout)
	}
	if head != nil {
		written := versionDigits(head.Path)
		if !opts.Timestamp {
			width = len(written)
		}
		if next := head.Version.next(); opts.Timestamp && version.Compare(next) < 0 || !opts.Timestamp {
			version = next
		}
		if width == len(timestampLayout) && !opts.Timestamp {
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

// timestampVersion is now in UTC as a YYYYMMDDHHMMSS version.
func timestampVersion(now time.Time) Version {
	v, _ := ParseVersion(now.UTC().Format(timestampLayout))
	return v
}

// slugify turns a description into the part of a file name after "NNNN_".
func slugify(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if t, ok := latin[r]; ok {
			b.WriteString(t)
			continue
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		case r == ' ', r == '-', r == '_', r == '\t':
			// Collapse runs of separators into one underscore.
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		case r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			// A letter of another script: keep it rather than lose the
			// word (file names are UTF-8).
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), "_.")
}
