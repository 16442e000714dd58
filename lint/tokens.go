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

// tokenize splits a statement's text into tokens, skipping comments and the
// insides of strings and quoted identifiers, with the quoting rules of the
// dialect.
func tokenize(s string, d sqlsplit.Dialect) []token {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--"), c == '#' && d == sqlsplit.MySQL:
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			i = skipBlock(s, i, d == sqlsplit.Postgres)
		case c == '\'':
			j := skipQuoted(s, i, '\'', d == sqlsplit.MySQL)
			out = append(out, token{kind: str, off: i})
			i = j
		case (c == 'E' || c == 'e') && d == sqlsplit.Postgres && i+1 < len(s) && s[i+1] == '\'':
			j := skipQuoted(s, i+1, '\'', true)
			out = append(out, token{kind: str, off: i})
			i = j
		case c == '"' && d == sqlsplit.MySQL:
			j := skipQuoted(s, i, '"', true)
			out = append(out, token{kind: str, off: i})
			i = j
		case c == '"' || c == '`' || (c == '[' && d == sqlsplit.SQLite):
			end := c
			if c == '[' {
				end = ']'
			}
			j := skipQuoted(s, i, end, false)
			inner := s[i+1 : max(i+1, j-1)]
			inner = strings.ReplaceAll(inner, string([]byte{end, end}), string(end))
			out = append(out, token{kind: ident, val: inner, off: i})
			i = j
		case c == '$' && d == sqlsplit.Postgres:
			if j, ok := skipDollar(s, i); ok {
				out = append(out, token{kind: str, off: i})
				i = j
				continue
			}
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			out = append(out, token{kind: punct, up: "$", val: s[i:j], off: i})
			i = j
		case isWordStart(c):
			j := i + 1
			for j < len(s) && isWordPart(s[j]) {
				j++
			}
			w := s[i:j]
			out = append(out, token{kind: word, up: strings.ToUpper(w), val: strings.ToLower(w), off: i})
			i = j
		case isDigit(c):
			j := i + 1
			for j < len(s) && (isWordPart(s[j]) || s[j] == '.') {
				j++
			}
			out = append(out, token{kind: number, val: s[i:j], off: i})
			i = j
		case c == ':' && strings.HasPrefix(s[i:], "::"):
			out = append(out, token{kind: punct, up: "::", val: "::", off: i})
			i += 2
		default:
			out = append(out, token{kind: punct, up: string(c), val: string(c), off: i})
			i++
		}
	}
	return out
}

// skipBlock skips a /* */ comment starting at i, nested when nest is set
// (PostgreSQL), and returns the offset after it.
func skipBlock(s string, i int, nest bool) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
			if !nest && depth > 1 {
				depth = 1
			}
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipQuoted skips a literal opened by q at i, where a doubled q stands for
// one, and a backslash escapes the next byte when backslash is set. It
// returns the offset after the closing quote.
func skipQuoted(s string, i int, q byte, backslash bool) int {
	i++
	for i < len(s) {
		switch {
		case backslash && s[i] == '\\':
			i += 2
		case s[i] == q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

// skipDollar skips a PostgreSQL dollar-quoted string ($$...$$ or
// $tag$...$tag$) at i.
func skipDollar(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !isWordPart(s[j]) || isDigit(s[j]) && j == i+1 {
			return 0, false
		}
		j++
	}
	if j >= len(s) {
		return 0, false
	}
	tag := s[i : j+1]
	k := strings.Index(s[j+1:], tag)
	if k < 0 {
		return len(s), true
	}
	return j + 1 + k + len(tag), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isWordPart(c byte) bool { return isWordStart(c) || isDigit(c) || c == '$' }

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
