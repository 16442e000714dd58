package source

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// namePattern is the hint shown for a .sql file whose name does not parse.
const namePattern = "rename it to NNNN_description.sql (for example 0001_create_users.sql, " +
	"with an optional 0001_create_users.down.sql), or R__description.sql for a repeatable migration"

// fileName is what a migration file's name says about it.
type fileName struct {
	kind        Kind
	version     Version
	digits      string // the version as written, with its zero padding
	description string
	down        bool
}

// ignored reports whether a directory entry with this name is not a
// migration file at all: hidden files and files that do not end in .sql.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || !strings.HasSuffix(strings.ToLower(name), ".sql")
}

// parseName parses a migration file name. It is called only for names that
// are not ignored. The error text is a complete, lower-case instruction.
func parseName(name string) (fileName, error) {
	if !strings.HasSuffix(name, ".sql") {
		return fileName{}, fmt.Errorf("the extension must be lower-case .sql: rename it to %s.sql", name[:len(name)-4])
	}
	base := strings.TrimSuffix(name, ".sql")
	var f fileName
	switch {
	case strings.HasSuffix(base, ".down"):
		base, f.down = strings.TrimSuffix(base, ".down"), true
	case strings.HasSuffix(base, ".up"):
		base = strings.TrimSuffix(base, ".up")
	}
	if rest, ok := strings.CutPrefix(base, "R__"); ok {
		if rest == "" {
			return fileName{}, fmt.Errorf("a repeatable migration needs a description after R__: %s", namePattern)
		}
		if f.down {
			return fileName{}, fmt.Errorf("repeatable migrations have no down file: delete it, or %s", namePattern)
		}
		f.kind, f.description = Repeatable, rest
		return f, nil
	}
	n := 0
	for n < len(base) && base[n] >= '0' && base[n] <= '9' {
		n++
	}
	if n == 0 {
		return fileName{}, fmt.Errorf("the name does not start with a version number: %s", namePattern)
	}
	f.kind, f.digits = Versioned, base[:n]
	switch rest := base[n:]; {
	case rest == "":
	case rest[0] != '_':
		return fileName{}, fmt.Errorf("the version must be followed by _ and a description: %s", namePattern)
	case len(rest) == 1:
		return fileName{}, fmt.Errorf("the description after the _ is empty: %s", namePattern)
	default:
		f.description = rest[1:]
	}
	v, err := ParseVersion(f.digits)
	if err != nil {
		return fileName{}, err
	}
	f.version = v
	return f, nil
}

// MaxNameBytes is the longest migration file name [Load] accepts, in bytes:
// what Linux, macOS and Windows file systems allow, and what the history
// table stores whole (its id column holds R__ and 297 characters, its
// name and file columns 1024), so a file system that allows longer names
// (an fs.FS in memory) cannot make a file run and then fail at its history
// row.
const MaxNameBytes = 255

// badName says what is wrong with a file name that no migration may have,
// or "" when there is nothing: names that are not valid UTF-8 cannot be
// stored in a history table or printed faithfully, and control characters
// (newlines, escape sequences) would corrupt terminal output and logs.
func badName(name string) string {
	if len(name) > MaxNameBytes {
		return fmt.Sprintf("the file name is %d bytes long, more than the %d a migration's name may have (the longest most file systems allow, which the history table's columns hold): shorten its description", len(name), MaxNameBytes)
	}
	if !utf8.ValidString(name) {
		return "the file name is not valid UTF-8: rename it using UTF-8 characters only"
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return fmt.Sprintf("the file name contains the control character %U: rename it without control characters", r)
		}
	}
	return ""
}
