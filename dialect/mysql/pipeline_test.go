package mysql

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/strata-db/strata/dialect"
)

func TestWriteQueryLiterals(t *testing.T) {
	at := time.Date(2026, 11, 22, 7, 42, 54, 587078123, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name string
		q    dialect.Query
		want string
	}{
		{"no arguments: sent as written, ? and all", dialect.Query{SQL: "SELECT '?', ? FROM t"}, "SELECT '?', ? FROM t"},
		{"plain string", dialect.Query{SQL: "VALUES (?)", Args: []any{"0002_data.sql"}}, "VALUES ('0002_data.sql')"},
		{"quote", dialect.Query{SQL: "VALUES (?)", Args: []any{"o'brien"}}, "VALUES (_utf8mb4 X'6f27627269656e')"},
		{"backslash", dialect.Query{SQL: "VALUES (?)", Args: []any{`a\b`}}, "VALUES (_utf8mb4 X'615c62')"},
		{"not ASCII", dialect.Query{SQL: "VALUES (?)", Args: []any{"é"}}, "VALUES (_utf8mb4 X'c3a9')"},
		{"newline", dialect.Query{SQL: "VALUES (?)", Args: []any{"a\nb"}}, "VALUES (_utf8mb4 X'610a62')"},
		{"empty", dialect.Query{SQL: "VALUES (?)", Args: []any{""}}, "VALUES ('')"},
		{"numbers", dialect.Query{SQL: "VALUES (?, ?)", Args: []any{3, int64(-9)}}, "VALUES (3, -9)"},
		{"time in UTC, microseconds", dialect.Query{SQL: "VALUES (?)", Args: []any{at}}, "VALUES ('2026-11-22 06:42:54.587078')"},
		{"nulls", dialect.Query{SQL: "VALUES (?, ?, ?)", Args: []any{nil, sql.NullString{}, sql.NullTime{}}}, "VALUES (NULL, NULL, NULL)"},
		{"valid nullables", dialect.Query{SQL: "VALUES (?, ?)", Args: []any{sql.NullString{String: "x", Valid: true}, sql.NullTime{Time: at, Valid: true}}},
			"VALUES ('x', '2026-11-22 06:42:54.587078')"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := writeQuery(&b, tc.q); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got %s, want %s", b.String(), tc.want)
			}
		})
	}
}

func TestWriteQueryErrors(t *testing.T) {
	for _, q := range []dialect.Query{
		{SQL: "VALUES (?, ?)", Args: []any{1}},
		{SQL: "VALUES (?)", Args: []any{1.5}},
	} {
		var b strings.Builder
		if err := writeQuery(&b, q); err == nil {
			t.Errorf("%q %v: no error", q.SQL, q.Args)
		}
	}
}
