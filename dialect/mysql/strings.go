package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// Backslash reads the session's sql_mode: with NO_BACKSLASH_ESCAPES a
// backslash is an ordinary character in strings.
func (Dialect) Backslash(ctx context.Context, q dialect.Execer) (sqlsplit.Backslash, error) {
	var mode sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return 0, fmt.Errorf("read sql_mode: %w", err)
	}
	return modeRule(mode.String), nil
}

func modeRule(mode string) sqlsplit.Backslash {
	if strings.Contains(strings.ToUpper(mode), "NO_BACKSLASH_ESCAPES") {
		return sqlsplit.BackslashLiteral
	}
	return sqlsplit.BackslashEscapes
}

// TrackBackslash follows a file's SET statements that change sql_mode,
// including mysqldump's /*!40101 SET @OLD_SQL_MODE=@@SQL_MODE,
// SQL_MODE='...' */ and its later SET SQL_MODE=@OLD_SQL_MODE.
func (Dialect) TrackBackslash(start sqlsplit.Backslash) dialect.BackslashTracker {
	if start == sqlsplit.BackslashDefault {
		start = sqlsplit.BackslashEscapes
	}
	return &modeTracker{cur: start, vars: map[string]sqlsplit.Backslash{}}
}

type modeTracker struct {
	cur  sqlsplit.Backslash
	vars map[string]sqlsplit.Backslash // user variables holding a known sql_mode
}

// execComment matches mysqldump's /*!40101 ... */ around a statement.
var execComment = regexp.MustCompile(`(?s)^/\*!\d*\s*(.*?)\s*\*/$`)

// setHead matches a SET statement that is not SET NAMES, CHARACTER SET,
// PASSWORD, TRANSACTION, ROLE or the like (those have no =).
var setHead = regexp.MustCompile(`(?is)^SET\s+(.*)$`)

func (t *modeTracker) Next(stmt string) (sqlsplit.Backslash, error) {
	s := strings.TrimSpace(stmt)
	if m := execComment.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	m := setHead.FindStringSubmatch(s)
	if m == nil || dialect.IndexFold(s, "sql_mode") < 0 && !strings.Contains(s, "@") {
		return t.cur, nil
	}
	for _, a := range splitTop(m[1]) {
		lhs, rhs, ok := cutAssign(a)
		if !ok {
			continue
		}
		name := strings.ToLower(strings.Join(strings.Fields(lhs), " "))
		for _, p := range []string{"session ", "local ", "@@session.", "@@local.", "@@"} {
			name = strings.TrimPrefix(name, p)
		}
		switch {
		case strings.HasPrefix(name, "global ") || strings.HasPrefix(name, "persist") || strings.HasPrefix(name, "global."):
			continue // new sessions only
		case strings.HasPrefix(name, "@"):
			if v, ok := t.eval(rhs); ok {
				t.vars[name] = v
			} else {
				delete(t.vars, name)
			}
		case name == "sql_mode":
			v, ok := t.eval(rhs)
			if !ok {
				return 0, fmt.Errorf("SET sql_mode = %s: strata cannot tell from the file whether this turns NO_BACKSLASH_ESCAPES on or off, which changes where the file's later strings end; set sql_mode to a quoted value, or move it to --session-sql or the URL's sql_mode parameter", strings.TrimSpace(rhs))
			}
			t.cur = v
		}
	}
	return t.cur, nil
}

// eval reads the rule a sql_mode value gives: a quoted mode list, the
// current mode, or a user variable that holds a known one.
func (t *modeTracker) eval(rhs string) (sqlsplit.Backslash, bool) {
	v := strings.TrimSpace(rhs)
	if n := len(v); n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n-1] == v[0] && !strings.ContainsRune(v[1:n-1], rune(v[0])) {
		return modeRule(v[1 : n-1]), true
	}
	switch strings.ToLower(v) {
	case "@@sql_mode", "@@session.sql_mode", "@@local.sql_mode":
		return t.cur, true
	}
	if strings.HasPrefix(v, "@") && !strings.HasPrefix(v, "@@") {
		r, ok := t.vars[strings.ToLower(v)]
		return r, ok
	}
	return 0, false
}

// splitTop splits a SET list at the commas outside quotes and brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// cutAssign splits "lhs = rhs" or "lhs := rhs".
func cutAssign(a string) (lhs, rhs string, ok bool) {
	i := strings.IndexByte(a, '=')
	if i < 0 {
		return "", "", false
	}
	lhs = strings.TrimSuffix(strings.TrimSpace(a[:i]), ":")
	return strings.TrimSpace(lhs), a[i+1:], true
}
