package postgres_test

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect/postgres"
)

func TestChangesSession(t *testing.T) {
	big := "INSERT INTO d VALUES " + strings.Repeat("(1, 'settle the session role'), ", 100000) + "(2, 'x')"
	for _, tc := range []struct {
		stmt string
		want bool
	}{
		{"SET search_path TO app", true},
		{"set statement_timeout = '5s'", true},
		{"SET LOCAL lock_timeout = '1s'", false},
		{"SET CONSTRAINTS ALL DEFERRED", false},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", false},
		{"RESET search_path", true},
		{"SELECT set_config('app.user', 'x', false)", true},
		{"SELECT Set_Config('app.user', 'x', false)", true},
		{"ALTER TABLE t ADD COLUMN settings jsonb", false},
		{"SET ROLE admin", true},
		{"DO $$ BEGIN EXECUTE 'set role admin'; END $$", true},
		{"SELECT 1; -- set session authorization", true},
		{"CREATE TABLE t (id int)", false},
		{big, false},
		{big + ", (3, set_config('a', 'b', false))", true},
	} {
		if got := (postgres.Dialect{}).ChangesSession(tc.stmt); got != tc.want {
			t.Errorf("ChangesSession(%.60q) = %v, want %v", tc.stmt, got, tc.want)
		}
	}
}

// BenchmarkChangesSession is a data migration's multi-megabyte INSERT,
// checked after it is sent: it must cost little next to sending it. Its
// values say "set" thousands of times, which once made the search
// quadratic (TestChangesSession took a minute under load).
func BenchmarkChangesSession(b *testing.B) {
	big := "INSERT INTO d VALUES " + strings.Repeat("(1, 'name-1', 'settle the quick brown fox: sets of lazy dogs 1'), ", 20000) + "(2, 'x', 'y')"
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if (postgres.Dialect{}).ChangesSession(big) {
			b.Fatal("changes session")
		}
	}
}
