package mysql

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

// TestTrackBackslash follows a file's SET statements: literal sql_mode
// values, mysqldump's save-and-restore through a user variable, GLOBAL
// (other sessions only), and refuses a value it cannot read.
func TestTrackBackslash(t *testing.T) {
	esc, lit := sqlsplit.BackslashEscapes, sqlsplit.BackslashLiteral
	steps := []struct {
		stmt string
		want sqlsplit.Backslash
		err  string
	}{
		{"CREATE TABLE t (a text)", esc, ""},
		{"/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */", esc, ""},
		{"SET NAMES utf8mb4", esc, ""},
		{"SET SESSION sql_mode = 'ANSI,NO_BACKSLASH_ESCAPES'", lit, ""},
		{"SET GLOBAL sql_mode = ''", lit, ""},
		{"SET @@session.sql_mode := \"STRICT_ALL_TABLES\"", esc, ""},
		{"SET @keep = @@sql_mode, sql_mode = 'NO_BACKSLASH_ESCAPES'", lit, ""},
		{"SET sql_mode = @keep", esc, ""},
		{"/*!40101 SET SQL_MODE=@OLD_SQL_MODE */", esc, ""},
		{"INSERT INTO t VALUES ('SET sql_mode = x')", esc, ""},
		{"SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", 0, "cannot tell"},
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
