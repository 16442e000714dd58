package sqlsplit

import (
	"strings"
	"testing"
)

// TestTokens: the token stream follows the scanner's rules for each
// dialect, comments and executable-comment markers dropped.
func TestTokens(t *testing.T) {
	cases := []struct {
		d    Dialect
		bs   Backslash
		in   string
		want string // tokens as kind:text, space separated
	}{
		{MySQL, BackslashDefault, "/*!40000 DROP TABLE users */", "w:DROP w:TABLE w:users"},
		{MySQL, BackslashDefault, "/*M!100100 DROP TABLE t*/", "w:DROP w:TABLE w:t"},
		{MySQL, BackslashDefault, "SELECT 1--1 -- c\n# h\n, 2", "w:SELECT n:1 p:- p:- n:1 p:, n:2"},
		{MySQL, BackslashDefault, "SELECT a --x", "w:SELECT w:a p:- p:- w:x"},
		{MySQL, BackslashDefault, "SELECT \"s\\\"\", `q``x`", "w:SELECT s:\"s\\\"\" p:, q:`q``x`"},
		{Postgres, BackslashDefault, "SELECT a --x\n/* a /* b */ c */ , E'\\'' , $t$ x $t$, $1::int, 1.5", "w:SELECT w:a p:, s:E'\\'' p:, s:$t$ x $t$ p:, p:$1 p::: w:int p:, n:1.5"},
		{Postgres, BackslashDefault, "SELECT /*!40000 x */ 1", "w:SELECT n:1"},
		{SQLite, BackslashDefault, "SELECT [a b], \"c\" -- z", "w:SELECT q:[a b] p:, q:\"c\""},
	}
	cases = append(cases, []struct {
		d    Dialect
		bs   Backslash
		in   string
		want string
	}{
		{MySQL, BackslashLiteral, `SELECT 'a\', b`, `w:SELECT s:'a\' p:, w:b`},
		{Postgres, BackslashEscapes, `SELECT 'a\', b'`, `w:SELECT s:'a\', b'`},
		{Postgres, BackslashDefault, `SELECT 'a\', b`, `w:SELECT s:'a\' p:, w:b`},
	}...)
	kinds := map[TokenKind]string{Word: "w", QuotedIdent: "q", String: "s", Number: "n", Punct: "p"}
	for _, tc := range cases {
		var got []string
		for _, tk := range Tokens(tc.in, Options{Dialect: tc.d, Backslash: tc.bs}) {
			if tc.in[tk.Offset:tk.Offset+len(tk.Text)] != tk.Text {
				t.Errorf("%v %q: token %q is not at offset %d", tc.d, tc.in, tk.Text, tk.Offset)
			}
			got = append(got, kinds[tk.Kind]+":"+tk.Text)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%v %q:\n got %s\nwant %s", tc.d, tc.in, g, tc.want)
		}
	}
}
