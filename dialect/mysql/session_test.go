package mysql_test

import (
	"strings"
	"testing"

	"github.com/strata-db/strata/dialect/mysql"
)

func TestChangesSession(t *testing.T) {
	big := "INSERT INTO d VALUES " + strings.Repeat("(1, 'use the lock tables'), ", 100000) + "(2, 'x')"
	for _, tc := range []struct {
		stmt string
		want bool
	}{
		{"SET sql_mode = 'ANSI'", true},
		{"set names utf8mb4", true},
		{"USE other", true},
		{"LOCK TABLES t WRITE", true},
		{"lock\n tables t read", true},
		{"CREATE TEMPORARY TABLE x (id int)", true},
		{"PREPARE s FROM 'SELECT 1'", true},
		{"SELECT @x := 1", true},
		{"INSERT INTO t VALUES ('a@example.com')", true},
		{"INSERT INTO users (settings) VALUES ('{}')", false},
		{"CREATE TABLE t (id int)", false},
		{big, false},
		{big + ", (3, @v)", true},
	} {
		if got := (mysql.Dialect{}).ChangesSession(tc.stmt); got != tc.want {
			t.Errorf("ChangesSession(%.60q) = %v, want %v", tc.stmt, got, tc.want)
		}
	}
}

// BenchmarkChangesSession is a data migration's multi-megabyte INSERT,
// checked after it is sent: it must cost little next to sending it.
func BenchmarkChangesSession(b *testing.B) {
	big := "INSERT INTO d VALUES " + strings.Repeat("(1, 'name-1', 'the quick brown fox jumps over the lazy dog 1'), ", 20000) + "(2, 'x', 'y')"
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if (mysql.Dialect{}).ChangesSession(big) {
			b.Fatal("changes session")
		}
	}
}
