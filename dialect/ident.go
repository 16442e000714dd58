package dialect

import (
	"fmt"
	"unicode/utf8"
)

// IdentifierLimiter is implemented by dialects whose server limits the
// length of identifiers: PostgreSQL truncates longer names silently (to
// 63 bytes), so two long names could name one table; MySQL refuses names
// over 64 characters.
type IdentifierLimiter interface {
	// MaxIdentifier returns the longest identifier the server keeps
	// whole, and whether that length is counted in bytes (true) or in
	// characters (false).
	MaxIdentifier() (n int, bytes bool)
}

// derivedSuffixes are what the tables strata derives from a history
// table's name add to it: AuditTable's _audit, SnapshotTable's _schema
// and the lease's _lock. The first is the one error messages show.
var derivedSuffixes = []string{"_schema", "_audit", "_lock"}

// CheckTableName returns an error when t's schema or name, or the name of
// a table derived from it ([AuditTable], the lease table), is longer than d
// keeps whole. It names the limit and the longest name that fits.
func CheckTableName(d Dialect, t Table) error {
	l, ok := d.(IdentifierLimiter)
	if !ok {
		return nil
	}
	limit, bytes := l.MaxIdentifier()
	unit, length := "characters", utf8.RuneCountInString
	if bytes {
		unit, length = "bytes", func(s string) int { return len(s) }
	}
	if n := length(t.Schema); n > limit {
		return fmt.Errorf("schema %q is %d %s long, more than the %d %s %s keeps of a name: use a shorter schema", t.Schema, n, unit, limit, unit, d.Name())
	}
	longest := 0
	for _, s := range derivedSuffixes {
		longest = max(longest, len(s))
	}
	if n := length(t.Name); n+longest > limit {
		return fmt.Errorf("history table name %q is %d %s long: with the suffix strata adds for its snapshot table (%s) it would exceed the %d %s %s keeps of a name, and two long names could then share one table: use a name of at most %d %s",
			t.Name, n, unit, t.Name+derivedSuffixes[0], limit, unit, d.Name(), limit-longest, unit)
	}
	return nil
}
