package sqlite

import (
	"reflect"
	"testing"
)

func TestCollapse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CREATE  VIEW v\n\tAS SELECT 1", "CREATE VIEW v AS SELECT 1"},
		{"SELECT 'a  b\n c' -- note\n FROM t", "SELECT 'a  b\n c' FROM t"},
		{"SELECT /* x  y */ \"we  ird\" , [br  acket],`b  q`", `SELECT "we  ird" , [br  acket],` + "`b  q`"},
		{"SELECT 'it''s  ok'", "SELECT 'it''s  ok'"},
		{"SELECT 'open  ", "SELECT 'open  "},
		{"f(x)  +  g( y )", "f(x) + g( y )"},
		{"  \n", ""},
	} {
		if got := collapse(tc.in); got != tc.want {
			t.Errorf("collapse(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseTable(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want tableText
	}{
		{
			`CREATE TABLE "t" (
				"Id" INTEGER PRIMARY KEY AUTOINCREMENT,
				[name] TEXT COLLATE "NOCASE" CONSTRAINT n_len CHECK (length(name) < 10),
				total REAL AS (Id * 2) STORED, -- a comment, with a comma
				half REAL GENERATED ALWAYS AS (total / 2),
				d TEXT DEFAULT ('a,b'),
				CONSTRAINT pos CHECK (total >= 0), CHECK (Id > 0),
				FOREIGN KEY (d) REFERENCES x (y)
			) WITHOUT ROWID, STRICT`,
			tableText{
				collation:     map[string]string{"name": "NOCASE"},
				generated:     map[string]string{"total": "GENERATED ALWAYS AS (Id * 2) STORED", "half": "GENERATED ALWAYS AS (total / 2) VIRTUAL"},
				checks:        []check{{"n_len", "(length(name) < 10)"}, {"pos", "(total >= 0)"}, {"", "(Id > 0)"}},
				autoincrement: true,
				options:       "WITHOUT ROWID, STRICT",
			},
		},
		{"CREATE TABLE c AS SELECT 1 AS x", tableText{collation: map[string]string{}, generated: map[string]string{}}},
	} {
		if got := parseTable(tc.sql); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseTable(%.40q) =\n%+v, want\n%+v", tc.sql, got, tc.want)
		}
	}
}

func TestParseIndex(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want indexText
	}{
		{"CREATE INDEX i ON t (a, lower(b) DESC, c COLLATE NOCASE)", indexText{parts: []string{"a", "lower(b) DESC", "c COLLATE NOCASE"}}},
		{"CREATE UNIQUE INDEX \"i(\" ON \"t(\" (a)\n WHERE  b > 0 AND c IN (1, 2)", indexText{parts: []string{"a"}, where: "b > 0 AND c IN (1, 2)"}},
	} {
		if got := parseIndex(tc.sql); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseIndex(%q) = %+v, want %+v", tc.sql, got, tc.want)
		}
	}
}
