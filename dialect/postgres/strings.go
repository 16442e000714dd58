package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// Backslash reads standard_conforming_strings: off makes a backslash
// escape the next character in every '...' string.
func (Dialect) Backslash(ctx context.Context, q dialect.Execer) (sqlsplit.Backslash, error) {
	var v string
	if err := q.QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&v); err != nil {
		return 0, fmt.Errorf("read standard_conforming_strings: %w", err)
	}
	if on, ok := boolSetting(v); ok && !on {
		return sqlsplit.BackslashEscapes, nil
	}
	return sqlsplit.BackslashLiteral, nil
}

// TrackBackslash follows a file's SET standard_conforming_strings.
func (Dialect) TrackBackslash(start sqlsplit.Backslash) dialect.BackslashTracker {
	if start == sqlsplit.BackslashDefault {
		start = sqlsplit.BackslashLiteral
	}
	return &scsTracker{cur: start}
}

type scsTracker struct{ cur sqlsplit.Backslash }

var scsSet = regexp.MustCompile(`(?is)^SET\s+(?:SESSION\s+|LOCAL\s+)?standard_conforming_strings(?:\s*=|\s+TO\b)\s*(.*?)\s*$`)

func (t *scsTracker) Next(stmt string) (sqlsplit.Backslash, error) {
	s := strings.TrimSpace(stmt)
	head := strings.ToUpper(dialect.Head(s, 16))
	switch {
	case strings.HasPrefix(head, "RESET ALL"), strings.HasPrefix(head, "DISCARD ALL"):
	case (strings.HasPrefix(head, "SET ") || strings.HasPrefix(head, "RESET ")) && dialect.IndexFold(s, "standard_conforming_strings") >= 0:
	case dialect.IndexFold(s, "set_config") >= 0 && dialect.IndexFold(s, "standard_conforming_strings") >= 0:
	default:
		return t.cur, nil // ALTER ROLE/DATABASE ... SET changes later sessions only
	}
	if m := scsSet.FindStringSubmatch(s); m != nil {
		if on, ok := boolSetting(strings.Trim(m[1], `'"`)); ok {
			if on {
				t.cur = sqlsplit.BackslashLiteral
			} else {
				t.cur = sqlsplit.BackslashEscapes
			}
			return t.cur, nil
		}
	}
	return 0, fmt.Errorf("%s: strata cannot tell from the file what this sets standard_conforming_strings to, which changes where the file's later strings end; write SET standard_conforming_strings = on (or off), or move it to --session-sql", dialect.Head(s, 80))
}

// boolSetting reads a PostgreSQL boolean setting's value.
func boolSetting(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}
