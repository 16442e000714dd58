package sqlite

import (
	"strings"
)

// token is one lexical token of SQLite's stored SQL text: a word, a
// number, a quoted string or name, or one punctuation character. space
// says whitespace or a comment came before it.
type token struct {
	text  string
	space bool
}

// tokenize splits SQL text into tokens, dropping whitespace and comments.
// It never fails: an unterminated quote or comment runs to the end.
func tokenize(s string) []token {
	var toks []token
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
			continue
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			i += j
			space = true
			continue
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				i = len(s)
			} else {
				i += j + 4
			}
			space = true
			continue
		}
		j := i + 1
		switch {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			for j < len(s) {
				if s[j] == end {
					if end != ']' && j+1 < len(s) && s[j+1] == end { // doubled quote
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
		case isWord(c):
			for j < len(s) && isWord(s[j]) {
				j++
			}
		}
		toks = append(toks, token{text: s[i:j], space: space})
		space = false
		i = j
	}
	return toks
}

func isWord(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// join prints tokens back with one space wherever the text had
// whitespace or a comment: the text with its layout collapsed.
func join(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// collapse is the normalised form of stored SQL text: comments dropped,
// each run of whitespace outside quotes one space.
func collapse(s string) string { return join(tokenize(s)) }

func is(t token, word string) bool { return strings.EqualFold(t.text, word) }

// closing returns the index of the ")" that closes the "(" at toks[open],
// or len(toks).
func closing(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// splitList splits the tokens between a "(" and its ")" at the commas
// outside nested parentheses.
func splitList(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}

// firstParen returns the index of the first "(" in toks, or len(toks).
func firstParen(toks []token) int {
	for i, t := range toks {
		if t.text == "(" {
			return i
		}
	}
	return len(toks)
}

// unquote removes SQLite's identifier quotes.
func unquote(s string) string {
	if len(s) >= 2 {
		switch s[0] {
		case '"', '`', '\'':
			return strings.ReplaceAll(s[1:len(s)-1], s[:1]+s[:1], s[:1])
		case '[':
			return s[1 : len(s)-1]
		}
	}
	return s
}

// tableText is what the CREATE TABLE text says and the pragmas do not:
// each column's collation and generation expression, the checks, and the
// table options.
type tableText struct {
	collation     map[string]string // lower-case column name -> collation
	generated     map[string]string // lower-case column name -> "AS (expr) STORED"
	checks        []check
	autoincrement bool
	options       string // WITHOUT ROWID, STRICT
}

type check struct{ name, expr string }

// parseTable reads a CREATE TABLE statement's text.
func parseTable(sql string) tableText {
	tt := tableText{collation: map[string]string{}, generated: map[string]string{}}
	toks := tokenize(sql)
	open := firstParen(toks)
	end := closing(toks, open)
	if open >= len(toks) || end >= len(toks) {
		return tt // CREATE TABLE ... AS SELECT: columns from the pragmas only
	}
	tt.options = strings.ToUpper(join(toks[end+1:]))
	for _, def := range splitList(toks[open+1 : end]) {
		if len(def) == 0 {
			continue
		}
		constraint := false
		switch strings.ToUpper(def[0].text) {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN":
			constraint = true
		}
		col := ""
		if !constraint {
			col = strings.ToLower(unquote(def[0].text))
			def = def[1:]
		}
		name := ""
		for i := 0; i < len(def); i++ {
			t := def[i]
			switch {
			case t.text == "(":
				i = closing(def, i)
			case is(t, "CONSTRAINT") && i+1 < len(def):
				name = unquote(def[i+1].text)
				i++
			case is(t, "AUTOINCREMENT"):
				tt.autoincrement = true
			case is(t, "COLLATE") && i+1 < len(def) && col != "":
				tt.collation[col] = unquote(def[i+1].text)
				i++
			case (is(t, "CHECK") || is(t, "AS")) && i+1 < len(def) && def[i+1].text == "(":
				c := closing(def, i+1)
				expr := join(def[i+1 : min(c+1, len(def))])
				if is(t, "CHECK") {
					tt.checks = append(tt.checks, check{name: name, expr: expr})
					name = ""
				} else if col != "" {
					kind := "VIRTUAL"
					if c+1 < len(def) && is(def[c+1], "STORED") {
						kind = "STORED"
					}
					tt.generated[col] = "GENERATED ALWAYS AS " + expr + " " + kind
				}
				i = c
			}
		}
	}
	return tt
}

// indexText is what a CREATE INDEX text says and the pragmas do not: the
// expressions of its key parts and its WHERE predicate.
type indexText struct {
	parts []string
	where string
}

func parseIndex(sql string) indexText {
	var it indexText
	toks := tokenize(sql)
	open := firstParen(toks)
	end := closing(toks, open)
	if open >= len(toks) || end >= len(toks) {
		return it
	}
	for _, p := range splitList(toks[open+1 : end]) {
		it.parts = append(it.parts, join(p))
	}
	if rest := toks[end+1:]; len(rest) > 1 && is(rest[0], "WHERE") {
		it.where = join(rest[1:])
	}
	return it
}
