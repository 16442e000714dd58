package sqlsplit

import "bytes"

// quoteEnd returns the index after the quote q that closes the quoted
// string or identifier opened at buf[i]. A doubled quote stands for
// itself; with bs a backslash escapes the next byte. ok is false at the
// end of input.
func (s *Scanner) quoteEnd(i int, q byte, bs bool) (end int, ok bool) {
	j := i + 1
	for {
		if !s.has(j) {
			return len(s.buf), false
		}
		b := s.buf
		if bs {
			for j < len(b) && b[j] != q && b[j] != '\\' {
				j++
			}
		} else if k := bytes.IndexByte(b[j:], q); k >= 0 {
			j += k
		} else {
			j = len(b)
		}
		if j >= len(b) {
			continue
		}
		if b[j] == '\\' {
			j += 2
			continue
		}
		if s.has(j+1) && s.buf[j+1] == q {
			j += 2
			continue
		}
		return j + 1, true
	}
}

// bracketEnd returns the index after the ] closing SQLite's [identifier]
// opened at buf[i].
func (s *Scanner) bracketEnd(i int) (int, bool) {
	j := i + 1
	for {
		if k := bytes.IndexByte(s.buf[j:], ']'); k >= 0 {
			return j + k + 1, true
		}
		j = len(s.buf)
		if !s.more() {
			return j, false
		}
	}
}

// blockEnd returns the index after the */ closing the block comment
// opened at buf[i]. With nested, /* inside opens a nested comment
// (PostgreSQL).
func (s *Scanner) blockEnd(i int, nested bool) (int, bool) {
	j := i + 2
	depth := 1
	for {
		b := s.buf
		if !nested {
			if k := bytes.Index(b[j:], []byte("*/")); k >= 0 {
				return j + k + 2, true
			}
			j = max(j, len(b)-1)
		} else {
			for j+1 < len(b) {
				switch {
				case b[j] == '*' && b[j+1] == '/':
					j += 2
					if depth--; depth == 0 {
						return j, true
					}
				case b[j] == '/' && b[j+1] == '*':
					j += 2
					depth++
				default:
					j++
				}
			}
		}
		if !s.more() {
			return len(s.buf), false
		}
	}
}

// eString reports whether the quote at buf[i] opens a PostgreSQL escape
// string: it follows an E that is a token of its own (SELECT E'..', not
// somenamE'..').
func (s *Scanner) eString(i int) bool {
	e := i - 1
	if e < s.textStart || s.buf[e]|0x20 != 'e' {
		return false
	}
	return e == s.textStart || e == s.lastTokEnd || !isIdent(s.buf[e-1])
}

// isTagByte reports whether c can be part of a dollar-quote tag.
func isTagByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// dollarTag returns the length of the dollar-quote opening tag ($$ or
// $tag$) at buf[i], or 0 when the $ does not open a dollar quote ($1 is a
// parameter, a$b$ an identifier).
func (s *Scanner) dollarTag(i int) int {
	if i > s.textStart && i != s.lastTokEnd && isIdent(s.buf[i-1]) {
		return 0
	}
	j := i + 1
	if !s.has(j) {
		return 0
	}
	if c := s.buf[j]; c == '$' {
		return 2
	} else if c >= '0' && c <= '9' || !isTagByte(c) {
		return 0
	}
	for {
		j++
		if !s.has(j) {
			return 0
		}
		c := s.buf[j]
		if c == '$' {
			return j - i + 1
		}
		if !isTagByte(c) {
			return 0
		}
	}
}

// dollarEnd returns the index after the tag closing the dollar quote
// whose n-byte opening tag is at buf[i].
func (s *Scanner) dollarEnd(i, n int) (int, bool) {
	s.tag = append(s.tag[:0], s.buf[i:i+n]...)
	from := i + n
	for {
		if k := bytes.Index(s.buf[from:], s.tag); k >= 0 {
			return from + k + n, true
		}
		from = max(from, len(s.buf)-n+1)
		if !s.more() {
			return len(s.buf), false
		}
	}
}
