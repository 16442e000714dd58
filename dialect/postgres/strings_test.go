package postgres

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

// TestTrackBackslash follows a file's SET standard_conforming_strings and
// refuses what it cannot read.
func TestTrackBackslash(t *testing.T) {
	esc, lit := sqlsplit.BackslashEscapes, sqlsplit.BackslashLiteral
	steps := []struct {
		stmt string
		want sqlsplit.Backslash
		err  string
	}{
		{"CREATE TABLE t (a text)", lit, ""},
		{"SET standard_conforming_strings = off", esc, ""},
		{"SET SESSION standard_conforming_strings TO 'on'", lit, ""},
		{"set local standard_conforming_strings to false", esc, ""},
		{"ALTER DATABASE d SET standard_conforming_strings = on", esc, ""},
		{"INSERT INTO t VALUES ('standard_conforming_strings')", esc, ""},
		{"SET standard_conforming_strings = DEFAULT", 0, "cannot tell"},
		{"RESET standard_conforming_strings", 0, "cannot tell"},
		{"SELECT set_config('standard_conforming_strings', 'off', false)", 0, "cannot tell"},
	}
	tr := Dialect{}.TrackBackslash(sqlsplit.BackslashDefault)
	for _, s := range steps {
		got, err := tr.Next(s.stmt)
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Errorf("%s: error %v, want %q", s.stmt, err, s.err)
			}
			continue
		}
		if err != nil || got != s.want {
			t.Errorf("%s: %v, %v; want %v", s.stmt, got, err, s.want)
		}
	}
}
