package sqlsplit

// TokenKind is a token's lexical class.
type TokenKind uint8

// The token kinds Tokens yields.
const (
	// Word is a keyword or an unquoted identifier.
	Word TokenKind = iota + 1
	// QuotedIdent is a quoted identifier: "x", `x` or SQLite's [x].
	QuotedIdent
	// String is a string literal: '..', PostgreSQL's E'..' and
	// dollar-quoted bodies, MySQL's "..".
	String
	// Number is a numeric literal (1, 1.5, 0x1F).
	Number
	// Punct is punctuation: one byte, PostgreSQL's :: or a $1 parameter.
	Punct
)

// Token is one lexical token of a statement's text.
type Token struct {
	Kind TokenKind
	// Text is the token's bytes as written, quotes included.
	Text string
	// Offset is the byte offset of Text in the statement's text.
	Offset int
}

// Tokens splits one statement's text (a [Statement]'s Text) into tokens with
// the scanner's own lexical rules for opts.Dialect, so that a tool reading statements
// sees what the scanner sends and the server runs: comments are dropped
// (in MySQL a line comment needs "-- " with a space or control character
// after the dashes, or '#'), the markers of a MySQL executable comment
// (/*!40000 ... */, /*M!100100 ... */) are dropped and its inside is
// code, and whitespace is skipped. An unterminated quote or comment runs
// to the end of text.
func Tokens(text string, opts Options) []Token {
	d := opts.Dialect
	s := &Scanner{opts: opts, buf: []byte(text), eof: true, delim: []byte{';'}, execOpen: -1, lastTokEnd: -1}
	s.buildClasses()
	var out []Token
	add := func(k TokenKind, from, to int) {
		out = append(out, Token{Kind: k, Text: text[from:to], Offset: from})
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch s.class[c] {
		case cSpace, cNL:
			i++
			continue
		case cWord:
			j := s.identEnd(i + 1)
			add(Word, i, j)
			i = j
			continue
		case cDigit:
			j := s.identEnd(i + 1)
			for j+1 < len(text) && text[j] == '.' && text[j+1] >= '0' && text[j+1] <= '9' {
				j = s.identEnd(j + 1)
			}
			add(Number, i, j)
			i = j
			continue
		case cSQuote:
			bs := s.sQuoteBackslash(i)
			if d == Postgres && s.eString(i) {
				if n := len(out); n > 0 && out[n-1].Offset == i-1 {
					out, i = out[:n-1], i-1 // E'..' is one string
				}
			}
			end, _ := s.quoteEnd(s.skipE(i), '\'', bs)
			add(String, i, end)
			i, s.lastTokEnd = end, end
			continue
		case cDQuote:
			end, _ := s.quoteEnd(i, '"', s.dQuoteBackslash())
			if d == MySQL {
				add(String, i, end)
			} else {
				add(QuotedIdent, i, end)
			}
			i, s.lastTokEnd = end, end
			continue
		case cBacktick:
			end, _ := s.quoteEnd(i, '`', false)
			add(QuotedIdent, i, end)
			i, s.lastTokEnd = end, end
			continue
		case cBracket:
			end, _ := s.bracketEnd(i)
			add(QuotedIdent, i, end)
			i, s.lastTokEnd = end, end
			continue
		case cDash, cHash:
			if s.lineComment(i) {
				i = s.lineEnd(i)
				s.lastTokEnd = i
				continue
			}
		case cSlash:
			comment, exec := s.blockComment(i)
			switch {
			case exec:
				if s.execOpen < 0 {
					s.execOpen = i
				}
				i += 3
				if text[i-1] == 'M' {
					i++
				}
				for i < len(text) && text[i] >= '0' && text[i] <= '9' {
					i++ // the server version the code needs
				}
				s.lastTokEnd = i
				continue
			case comment:
				end, _ := s.blockEnd(i, d == Postgres)
				i, s.lastTokEnd = end, end
				continue
			}
		case cStar:
			if s.execOpen >= 0 && i+1 < len(text) && text[i+1] == '/' {
				s.execOpen = -1
				i += 2
				s.lastTokEnd = i
				continue
			}
		case cDollar:
			if n := s.dollarTag(i); n > 0 {
				end, _ := s.dollarEnd(i, n)
				add(String, i, end)
				i, s.lastTokEnd = end, end
				continue
			}
			j := i + 1
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				j++
			}
			add(Punct, i, j)
			i = j
			continue
		case cColon:
			if i+1 < len(text) && text[i+1] == ':' {
				add(Punct, i, i+2)
				i += 2
				continue
			}
		}
		add(Punct, i, i+1)
		i++
	}
	return out
}

// skipE returns the index of the quote of an E'..' string whose quote is
// at i or whose E is at i.
func (s *Scanner) skipE(i int) int {
	if s.buf[i] != '\'' {
		return i + 1
	}
	return i
}
