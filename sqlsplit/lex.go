package sqlsplit

import "io"

// Lexical classes of bytes.
const (
	cOther uint8 = iota
	cSpace
	cNL // '\n': MySQL checks the next line for a DELIMITER directive
	cWord
	cDigit
	cSQuote
	cDQuote
	cBacktick
	cBracket
	cDash
	cSlash
	cHash
	cDollar
	cStar
	cLParen
	cRParen
	cColon
)

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isIdent reports whether c can continue an unquoted identifier or number.
func isIdent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// buildClasses fills the byte class tables for the dialect.
func (s *Scanner) buildClasses() {
	d := s.opts.Dialect
	for i := range 256 {
		c := byte(i)
		k := cOther
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80:
			k = cWord
		case c >= '0' && c <= '9':
			k = cDigit
		case c == '\n':
			k = cSpace
			if d == MySQL {
				k = cNL
			}
		case isSpace(c):
			k = cSpace
		case c == '\'':
			k = cSQuote
		case c == '"':
			k = cDQuote
		case c == '`' && d != Postgres:
			k = cBacktick
		case c == '[' && d == SQLite:
			k = cBracket
		case c == '-':
			k = cDash
		case c == '/':
			k = cSlash
		case c == '#' && d == MySQL:
			k = cHash
		case c == '$':
			k = cWord
			if d == Postgres {
				k = cDollar
			}
		case c == '*' && d == MySQL:
			k = cStar
		case c == '(':
			k = cLParen
		case c == ')':
			k = cRParen
		case c == ':':
			k = cColon
		}
		s.class[i] = k
		s.fast[i] = naturalFast(k)
	}
	s.fast[s.delim[0]] = true
}

// naturalFast reports whether a byte of class k needs a look even when
// no block is being tracked.
func naturalFast(k uint8) bool {
	switch k {
	case cNL, cSQuote, cDQuote, cBacktick, cBracket, cDash, cSlash, cHash, cDollar, cStar:
		return true
	}
	return false
}

// setDelim changes the statement delimiter (MySQL's DELIMITER directive).
func (s *Scanner) setDelim(d []byte) {
	old := s.delim[0]
	s.fast[old] = naturalFast(s.class[old])
	s.delim = append(s.delim[:0], d...)
	s.fast[s.delim[0]] = true
}

// delimAt reports whether the delimiter starts at buf[i].
func (s *Scanner) delimAt(i int) bool {
	d := s.delim
	if s.buf[i] != d[0] {
		return false
	}
	if len(d) == 1 {
		return true
	}
	if !s.has(i + len(d) - 1) {
		return false
	}
	for k := 1; k < len(d); k++ {
		if s.buf[i+k] != d[k] {
			return false
		}
	}
	return true
}

// lineComment reports whether a line comment starts at buf[i].
func (s *Scanner) lineComment(i int) bool {
	switch s.buf[i] {
	case '#':
		return s.opts.Dialect == MySQL
	case '-':
		if !s.has(i+1) || s.buf[i+1] != '-' {
			return false
		}
		if s.opts.Dialect != MySQL {
			return true
		}
		// MySQL needs whitespace (or the end) after "--": 1--1 is arithmetic.
		return !s.has(i+2) || s.buf[i+2] <= ' '
	}
	return false
}

// blockComment reports whether a block comment starts at buf[i], and
// whether it is a MySQL executable comment (/*! or /*M!), which is code.
func (s *Scanner) blockComment(i int) (comment, exec bool) {
	if s.buf[i] != '/' || !s.has(i+1) || s.buf[i+1] != '*' {
		return false, false
	}
	if s.opts.Dialect == MySQL && s.has(i+2) {
		if c := s.buf[i+2]; c == '!' || c == 'M' && s.has(i+3) && s.buf[i+3] == '!' {
			return true, true
		}
	}
	return true, false
}

// next scans the next statement.
func (s *Scanner) next() (Statement, error) {
	s.comments = s.comments[:0]
	s.textStart = -1
	if err := s.leading(); err != nil {
		return Statement{}, err
	}
	return s.text()
}

// leading skips whitespace, comments, empty statements and DELIMITER
// directives before a statement. It returns io.EOF at the end of input,
// with everything left in Trailing.
func (s *Scanner) leading() error {
	for {
		if !s.has(s.pos) {
			if err := s.stopErr(); err != nil {
				return err
			}
			s.trailing = string(s.buf)
			s.consume(len(s.buf))
			return io.EOF
		}
		i := s.pos
		c := s.buf[i]
		switch {
		case isSpace(c):
			s.pos++
			continue
		case c == 0xEF && s.base+int64(i) == 0 && s.has(2) && s.buf[1] == 0xBB && s.buf[2] == 0xBF:
			s.pos += 3 // a byte order mark at the start of the file
			continue
		case s.delimAt(i):
			s.pos += len(s.delim) // an empty statement
			continue
		case s.lineComment(i):
			end := s.lineEnd(i)
			ce := end
			if ce > i && s.buf[ce-1] == '\r' {
				ce--
			}
			s.comments = append(s.comments, [2]int{i, ce})
			s.pos = end
			continue
		case s.opts.Dialect == MySQL && (c == 'd' || c == 'D') && s.delimiterDirective(i):
			if err := s.directive(i); err != nil {
				return err
			}
			continue
		case s.opts.Dialect == Postgres && c == '\\':
			return s.metaCommand(i)
		}
		if comment, exec := s.blockComment(i); comment && !exec {
			end, ok := s.blockEnd(i, s.opts.Dialect == Postgres)
			if !ok {
				return s.errAt(i, "unterminated block comment /* opened here; close it with */%s", nestHint(s.opts.Dialect))
			}
			s.comments = append(s.comments, [2]int{i, end})
			s.pos = end
			continue
		}
		return nil
	}
}

func nestHint(d Dialect) string {
	if d == Postgres {
		return " (PostgreSQL comments nest: every /* needs its own */)"
	}
	return ""
}

// lineEnd returns the index of the newline ending the line that contains
// buf[i], or the end of input.
func (s *Scanner) lineEnd(i int) int {
	for {
		for j := i; j < len(s.buf); j++ {
			if s.buf[j] == '\n' {
				return j
			}
		}
		i = len(s.buf)
		if !s.more() {
			return len(s.buf)
		}
	}
}

// text scans a statement from its first byte at s.pos to its delimiter
// or the end of input.
func (s *Scanner) text() (Statement, error) {
	s.textStart = s.pos
	s.lastTokEnd = -1
	s.execOpen = -1
	s.cmtEnd = -1
	s.blk.reset(s.opts.Dialect, len(s.delim) == 1 && s.delim[0] == ';')
	for {
		if s.pos >= len(s.buf) && !s.more() {
			return s.textEOF()
		}
		i := s.pos
		if s.blk.mode == modeFast {
			b := s.buf
			for i < len(b) && !s.fast[b[i]] {
				i++
			}
			s.pos = i
			if i >= len(b) {
				continue
			}
		}
		c := s.buf[i]
		if c == s.delim[0] && s.execOpen < 0 && s.delimAt(i) {
			if s.blk.canEnd() {
				return s.emit(s.textStart, s.textEnd(i), i+len(s.delim))
			}
			s.pos = i + len(s.delim)
			continue
		}
		if err := s.token(i, c); err != nil {
			return Statement{}, err
		}
		if s.blk.flush >= 0 {
			// a DELIMITER directive ends the pending statement, as in the mysql client
			end := s.blk.flush
			s.blk.flush = -1
			return s.emit(s.textStart, s.textEnd(end), end)
		}
	}
}

// textEOF ends the last statement at the end of input.
func (s *Scanner) textEOF() (Statement, error) {
	if err := s.stopErr(); err != nil {
		return Statement{}, err
	}
	if s.execOpen >= 0 {
		return Statement{}, s.errAt(s.execOpen, "unterminated executable comment /*! opened here; close it with */")
	}
	if f, open := s.blk.open(); open {
		hint := ""
		if s.opts.Dialect == MySQL {
			hint = ", or wrap the routine in DELIMITER // ... // and DELIMITER ;"
		}
		return Statement{}, s.errAt(f.pos, "unterminated %s opened here; close it with %s%s", f.what(), f.closer(), hint)
	}
	return s.emit(s.textStart, s.textEnd(len(s.buf)), len(s.buf))
}

// token handles the token starting at buf[i] (which is c) and advances s.pos.
func (s *Scanner) token(i int, c byte) error {
	d := s.opts.Dialect
	switch s.class[c] {
	case cSpace:
		s.pos = i + 1
		return nil
	case cNL:
		s.pos = i + 1
		if s.execOpen < 0 && s.directiveAhead(i+1) {
			s.blk.flush = i + 1
		}
		return nil
	case cWord:
		j := s.identEnd(i + 1)
		s.pos = j
		if s.blk.mode != modeFast {
			s.blk.word(s.buf[i:j], i)
		}
		return nil
	case cDigit:
		s.pos = s.identEnd(i + 1)
	case cSQuote:
		bs := s.sQuoteBackslash(i)
		end, ok := s.quoteEnd(i, '\'', bs)
		if !ok {
			if bs && d == Postgres && s.eString(i) {
				return s.errAt(i, "unterminated escape string E' opened here; close it with ' (a backslash escapes the next character)")
			}
			return s.errAt(i, "unterminated string ' opened here; close it with '")
		}
		s.pos, s.lastTokEnd = end, end
	case cDQuote:
		end, ok := s.quoteEnd(i, '"', s.dQuoteBackslash())
		if !ok {
			if d == MySQL {
				return s.errAt(i, "unterminated string \" opened here; close it with \"")
			}
			return s.errAt(i, "unterminated quoted identifier \" opened here; close it with \"")
		}
		s.pos, s.lastTokEnd = end, end
	case cBacktick:
		end, ok := s.quoteEnd(i, '`', false)
		if !ok {
			return s.errAt(i, "unterminated quoted identifier ` opened here; close it with `")
		}
		s.pos, s.lastTokEnd = end, end
	case cBracket:
		end, ok := s.bracketEnd(i)
		if !ok {
			return s.errAt(i, "unterminated bracket identifier [ opened here; close it with ]")
		}
		s.pos, s.lastTokEnd = end, end
	case cDash, cHash:
		if s.lineComment(i) {
			s.pos = s.lineEnd(i)
			s.lastTokEnd = s.pos
			s.noteComment(i, s.trimEnd(i, s.pos))
			return nil
		}
		s.pos = i + 1
	case cSlash:
		comment, exec := s.blockComment(i)
		switch {
		case exec:
			if s.execOpen < 0 {
				s.execOpen = i
			}
			s.pos = i + 3
			if s.buf[i+2] == 'M' {
				s.pos++
			}
			return nil
		case comment:
			end, ok := s.blockEnd(i, d == Postgres)
			if !ok {
				return s.errAt(i, "unterminated block comment /* opened here; close it with */%s", nestHint(d))
			}
			s.pos, s.lastTokEnd = end, end
			s.noteComment(i, end)
			return nil
		}
		s.pos = i + 1
	case cStar:
		if s.execOpen >= 0 && s.has(i+1) && s.buf[i+1] == '/' {
			s.execOpen = -1
			s.pos = i + 2
			s.lastTokEnd = s.pos
			return nil
		}
		s.pos = i + 1
	case cDollar:
		if n := s.dollarTag(i); n > 0 {
			end, ok := s.dollarEnd(i, n)
			if !ok {
				t := string(s.buf[i : i+n])
				return s.errAt(i, "unterminated dollar-quoted string %s opened here; close it with %s", t, t)
			}
			s.pos, s.lastTokEnd = end, end
		} else {
			s.pos = i + 1
		}
	default:
		s.pos = i + 1
	}
	if s.blk.mode != modeFast {
		s.blk.punct(c, i)
	}
	return nil
}

// sQuoteBackslash reports whether a backslash escapes in the '...' string
// opened at buf[i].
func (s *Scanner) sQuoteBackslash(i int) bool {
	d := s.opts.Dialect
	return d == MySQL && s.opts.Backslash != BackslashLiteral ||
		d == Postgres && (s.opts.Backslash == BackslashEscapes || s.eString(i))
}

// dQuoteBackslash reports whether a backslash escapes in a "..." string
// (MySQL; elsewhere "..." is an identifier).
func (s *Scanner) dQuoteBackslash() bool {
	return s.opts.Dialect == MySQL && s.opts.Backslash != BackslashLiteral
}

// identEnd returns the end of the identifier or number continuing at buf[j].
func (s *Scanner) identEnd(j int) int {
	for s.has(j) && isIdent(s.buf[j]) {
		j++
	}
	return j
}

// noteComment records a comment inside the statement at buf[start:end],
// so that comments after the last code can be left out of Text.
func (s *Scanner) noteComment(start, end int) {
	if s.cmtEnd < 0 || s.trimEnd(s.textStart, start) != s.cmtEnd {
		s.cmtRunStart = start
	}
	s.cmtEnd = end
}

// textEnd returns where Text ends when the statement's bytes end at
// buf[end]: trailing whitespace and trailing comments are left out.
func (s *Scanner) textEnd(end int) int {
	te := s.trimEnd(s.textStart, end)
	if te == s.cmtEnd {
		te = s.trimEnd(s.textStart, s.cmtRunStart)
	}
	return te
}
