package sqlsplit

// Block tracking modes of a statement.
const (
	modeFirst    uint8 = iota // the statement's first word decides
	modeFast                  // no body: the delimiter ends the statement
	modeHeader                // after CREATE: looking for the object kind
	modeBeginNot              // MySQL: a leading BEGIN; NOT ATOMIC makes it a block
	modeTrack                 // a routine or block: track BEGIN ... END
)

// Frame kinds: the constructs that can hold a statement delimiter.
const (
	fBegin    uint8 = iota + 1 // BEGIN ... END
	fAtomic                    // PostgreSQL BEGIN ATOMIC ... END
	fIf                        // IF ... END IF
	fCaseStmt                  // CASE ... END CASE (a statement)
	fCaseExpr                  // CASE ... END (an expression)
	fLoop                      // LOOP ... END LOOP
	fWhile                     // WHILE ... DO ... END WHILE
	fRepeat                    // REPEAT ... UNTIL ... END REPEAT
	fParen                     // PostgreSQL CREATE RULE ... DO (action; action)
)

// frame is an open construct and where it opened in the buffer.
type frame struct {
	kind uint8
	pos  int
}

// what names the construct for error messages.
func (f frame) what() string {
	switch f.kind {
	case fAtomic:
		return "BEGIN ATOMIC ... END body"
	case fIf:
		return "IF ... END IF block"
	case fCaseStmt:
		return "CASE ... END CASE statement"
	case fCaseExpr:
		return "CASE ... END expression"
	case fLoop:
		return "LOOP ... END LOOP block"
	case fWhile:
		return "WHILE ... END WHILE block"
	case fRepeat:
		return "REPEAT ... END REPEAT block"
	case fParen:
		return "parenthesis ( of the rule's actions"
	}
	return "BEGIN ... END block"
}

// closer is what closes the construct.
func (f frame) closer() string {
	switch f.kind {
	case fIf:
		return "END IF"
	case fCaseStmt:
		return "END CASE"
	case fLoop:
		return "END LOOP"
	case fWhile:
		return "END WHILE"
	case fRepeat:
		return "END REPEAT"
	case fParen:
		return ")"
	}
	return "END"
}

// block decides whether a delimiter ends the statement, by following the
// BEGIN ... END structure of routine bodies (PostgreSQL BEGIN ATOMIC,
// MySQL compound statements, SQLite triggers). It only looks at words and
// punctuation outside quotes and comments.
type block struct {
	d          Dialect
	mode       uint8
	stack      []frame
	hdrTokens  int  // tokens seen in modeHeader
	stmtStart  bool // MySQL: the next token starts a statement inside the body
	pendingEnd bool // MySQL: END seen; the next word says what it closes
	parens     int  // MySQL: parenthesis depth
	beginAt    int  // position of a BEGIN waiting for ATOMIC (PostgreSQL) or NOT ATOMIC (MariaDB)
	notSeen    bool // MariaDB: BEGIN NOT seen
	rule       bool // PostgreSQL CREATE RULE: ; inside parentheses separates actions
	flush      int  // MySQL: a DELIMITER directive ends the statement here, or -1
}

// reset prepares for a new statement; tracking is off under a custom
// MySQL delimiter, where the delimiter alone decides.
func (b *block) reset(d Dialect, defaultDelim bool) {
	*b = block{d: d, stack: b.stack[:0], beginAt: -1, flush: -1}
	if !defaultDelim {
		b.mode = modeFast
	}
}

func (b *block) push(kind uint8, pos int) { b.stack = append(b.stack, frame{kind, pos}) }

func (b *block) top() uint8 {
	if len(b.stack) == 0 {
		return 0
	}
	return b.stack[len(b.stack)-1].kind
}

// word handles an unquoted word starting at buf[pos].
func (b *block) word(w []byte, pos int) {
	k := keyword(w)
	switch b.mode {
	case modeFirst:
		switch {
		case k == kwCreate:
			b.mode = modeHeader
		case b.d == MySQL && k == kwBegin:
			b.mode, b.beginAt = modeBeginNot, pos
		case b.d == MySQL && (k == kwIf || k == kwCase || k == kwLoop || k == kwWhile || k == kwRepeat):
			// MariaDB runs compound statements outside routines too.
			b.mode, b.stmtStart = modeTrack, true
			b.mysqlWord(k, pos)
		default:
			b.mode = modeFast
		}
	case modeHeader:
		switch {
		case routineKind(b.d, k):
			b.mode = modeTrack
		case b.d == Postgres && k == kwRule:
			b.mode, b.rule = modeTrack, true
		case objectKind(k):
			b.mode = modeFast
		default:
			b.headerToken()
		}
	case modeBeginNot:
		switch {
		case !b.notSeen && k == kwNot:
			b.notSeen = true
		case b.notSeen && k == kwAtomic:
			b.mode, b.stmtStart = modeTrack, true
			b.push(fBegin, b.beginAt)
		default:
			b.mode = modeFast // BEGIN WORK, BEGIN TRANSACTION, ...
		}
	case modeTrack:
		switch b.d {
		case Postgres:
			b.pgWord(k, pos)
		case SQLite:
			b.sqliteWord(k, pos)
		default:
			b.mysqlWord(k, pos)
		}
	}
}

// headerToken counts a token between CREATE and the object kind; a
// statement whose kind does not show up soon has no body.
func (b *block) headerToken() {
	if b.hdrTokens++; b.hdrTokens > 16 {
		b.mode = modeFast
	}
}

// punct handles any other token at buf[pos]: punctuation, a number or a
// quoted string or identifier (c is its first byte).
func (b *block) punct(c byte, pos int) {
	switch b.mode {
	case modeFirst, modeBeginNot:
		b.mode = modeFast
	case modeHeader:
		b.headerToken()
	case modeTrack:
		switch b.d {
		case Postgres:
			b.beginAt = -1
			if b.rule {
				b.ruleParen(c, pos)
			}
		case MySQL:
			b.mysqlPunct(c)
		}
	}
}

// canEnd reports whether a delimiter here ends the statement; when it
// does not, the delimiter separates statements inside a body.
func (b *block) canEnd() bool {
	if b.mode != modeTrack {
		return true
	}
	b.resolveEnd()
	if len(b.stack) == 0 {
		return true
	}
	b.stmtStart, b.parens, b.beginAt = true, 0, -1
	return false
}

// open returns the outermost construct still open at the end of input.
func (b *block) open() (frame, bool) {
	if b.mode != modeTrack {
		return frame{}, false
	}
	b.resolveEnd()
	if len(b.stack) == 0 {
		return frame{}, false
	}
	return b.stack[0], true
}

// pgWord follows BEGIN ATOMIC ... END bodies of SQL-standard functions;
// inside them only CASE ... END nests.
func (b *block) pgWord(k kw, pos int) {
	switch k {
	case kwBegin:
		b.beginAt = pos
		return
	case kwAtomic:
		if b.beginAt >= 0 {
			b.push(fAtomic, b.beginAt)
		}
	case kwCase:
		if len(b.stack) > 0 {
			b.push(fCaseExpr, pos)
		}
	case kwEnd:
		if len(b.stack) > 0 {
			b.stack = b.stack[:len(b.stack)-1]
		}
	}
	b.beginAt = -1
}

// sqliteWord follows a trigger's BEGIN ... END body; inside it only
// CASE ... END nests.
func (b *block) sqliteWord(k kw, pos int) {
	switch k {
	case kwBegin:
		b.push(fBegin, pos)
	case kwCase:
		if len(b.stack) > 0 {
			b.push(fCaseExpr, pos)
		}
	case kwEnd:
		if len(b.stack) > 0 {
			b.stack = b.stack[:len(b.stack)-1]
		}
	}
}

// ruleParen follows the parentheses of a PostgreSQL rule, whose actions
// in DO ( ... ) are separated by semicolons.
func (b *block) ruleParen(c byte, pos int) {
	switch c {
	case '(':
		b.push(fParen, pos)
	case ')':
		if b.top() == fParen {
			b.stack = b.stack[:len(b.stack)-1]
		}
	}
}
