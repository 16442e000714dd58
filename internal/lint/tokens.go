package lint

import (
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// kind is a token's lexical class.
type kind int

const (
	word   kind = iota // a keyword or an unquoted identifier
	ident              // a quoted identifier ("x", `x`, [x])
	str                // a string literal, dollar-quoted body or E'..'
	number             // a numeric literal
	punct              // one punctuation character (or ::)
)

// token is one lexical token of a statement. Comments and whitespace are
// dropped.
type token struct {
	kind kind
	up   string // words: upper case, for keyword matching
	val  string // words: lower case; quoted identifiers: the name inside the quotes
	off  int    // byte offset in the statement's text
}

// tokenize splits a statement's text into tokens with the statement
// scanner's lexical rules for its options (sqlsplit.Tokens), so lint reads
// what strata sends: comments dropped, the insides of MySQL executable
// comments kept as code.
func tokenize(s string, opts sqlsplit.Options) []token {
	toks := sqlsplit.Tokens(s, opts)
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		tk := token{off: t.Offset}
		switch t.Kind {
		case sqlsplit.Word:
			tk.kind, tk.up, tk.val = word, strings.ToUpper(t.Text), strings.ToLower(t.Text)
		case sqlsplit.QuotedIdent:
			tk.kind, tk.val = ident, unquote(t.Text)
		case sqlsplit.String:
			tk.kind = str
		case sqlsplit.Number:
			tk.kind, tk.val = number, t.Text
		default:
			tk.kind, tk.up, tk.val = punct, t.Text, t.Text
		}
		out = append(out, tk)
	}
	return out
}

// unquote returns the name inside a quoted identifier ("x", `x`, [x]),
// with a doubled closing quote read as one.
func unquote(q string) string {
	end := q[0]
	if end == '[' {
		end = ']'
	}
	inner := q[1:]
	if len(inner) > 0 && inner[len(inner)-1] == end {
		inner = inner[:len(inner)-1]
	}
	return strings.ReplaceAll(inner, string([]byte{end, end}), string(end))
}

// stmt is one statement being checked: its tokens and where it is.
type stmt struct {
	toks []token
	text string
	line int // the line of the statement's first byte in its file
}

// w returns the upper-case word at i, or "" when the token there is not a
// word (or i is out of range).
func (s *stmt) w(i int) string {
	if i < 0 || i >= len(s.toks) || s.toks[i].kind != word {
		return ""
	}
	return s.toks[i].up
}

// is reports whether the words from i on are words, in order.
func (s *stmt) is(i int, words ...string) bool {
	for k, w := range words {
		if s.w(i+k) != w {
			return false
		}
	}
	return true
}

// p reports whether the token at i is the punctuation c.
func (s *stmt) p(i int, c string) bool {
	return i >= 0 && i < len(s.toks) && s.toks[i].kind == punct && s.toks[i].up == c
}

// has reports whether the words occur in sequence anywhere in [from, to).
func (s *stmt) has(from, to int, words ...string) bool {
	return s.find(from, to, words...) >= 0
}

// find returns where the words occur in sequence in [from, to), or -1.
func (s *stmt) find(from, to int, words ...string) int {
	to = min(to, len(s.toks))
	for i := max(from, 0); i+len(words) <= to; i++ {
		if s.is(i, words...) {
			return i
		}
	}
	return -1
}

// name reads a possibly qualified object name at i and returns its last
// part (lower case unless quoted) and the index after it.
func (s *stmt) name(i int) (string, int) {
	n := ""
	for i < len(s.toks) {
		t := s.toks[i]
		if t.kind != word && t.kind != ident {
			break
		}
		n = t.val
		i++
		if !s.p(i, ".") {
			break
		}
		i++
	}
	return n, i
}

// skipIf skips IF EXISTS / IF NOT EXISTS at i, and reports whether it was
// there.
func (s *stmt) skipIf(i int) (int, bool) {
	switch {
	case s.is(i, "IF", "EXISTS"):
		return i + 2, true
	case s.is(i, "IF", "NOT", "EXISTS"):
		return i + 3, true
	}
	return i, false
}

// lineAt returns the file line of token i.
func (s *stmt) lineAt(i int) int {
	if i <= 0 || i >= len(s.toks) {
		return s.line
	}
	return s.line + strings.Count(s.text[:s.toks[i].off], "\n")
}

// split returns the ranges [from, to) of the comma-separated parts of
// [from, end) at parenthesis depth zero.
func (s *stmt) split(from, end int) [][2]int {
	var out [][2]int
	depth, start := 0, from
	for i := from; i < end; i++ {
		switch {
		case s.p(i, "("):
			depth++
		case s.p(i, ")"):
			depth--
		case s.p(i, ",") && depth == 0:
			out = append(out, [2]int{start, i})
			start = i + 1
		}
	}
	if start < end {
		out = append(out, [2]int{start, end})
	}
	return out
}

// topLevel returns where the word w first occurs at parenthesis depth zero
// in [from, end), or -1.
func (s *stmt) topLevel(from, end int, w string) int {
	depth := 0
	for i := from; i < end && i < len(s.toks); i++ {
		switch {
		case s.p(i, "("):
			depth++
		case s.p(i, ")"):
			depth--
		case depth == 0 && s.w(i) == w:
			return i
		}
	}
	return -1
}
