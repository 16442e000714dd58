package sqlsplit

// MySQL compound statements: BEGIN ... END, IF ... END IF, CASE ... END
// CASE, LOOP / WHILE / REPEAT ... END LOOP / WHILE / REPEAT, and CASE ...
// END expressions. Whether IF, CASE, LOOP, WHILE or REPEAT opens a block
// depends on where it stands: only at the start of a statement inside the
// body (after ;, BEGIN, THEN, ELSE, DO, LOOP, REPEAT, a label's colon, or
// the routine's header) is it a compound statement; elsewhere IF( and
// REPEAT( are functions and CASE is an expression closed by a bare END.

// mysqlWord handles a word inside a MySQL routine or block.
func (b *block) mysqlWord(k kw, pos int) {
	if b.pendingEnd {
		b.pendingEnd = false
		switch k {
		case kwIf:
			b.closeTo(fIf, 0)
			return
		case kwCase:
			b.closeTo(fCaseStmt, fCaseExpr)
			return
		case kwLoop:
			b.closeTo(fLoop, 0)
			return
		case kwWhile:
			b.closeTo(fWhile, 0)
			return
		case kwRepeat:
			b.closeTo(fRepeat, 0)
			return
		}
		b.closeBare()
	}
	start := b.stmtStart && b.parens == 0
	b.stmtStart = false
	switch k {
	case kwBegin:
		// Inside stored programs BEGIN always opens a block (a
		// transaction there is START TRANSACTION).
		b.push(fBegin, pos)
		b.stmtStart = true
	case kwEnd:
		if len(b.stack) > 0 {
			b.pendingEnd = true
		}
	case kwIf:
		if start {
			b.push(fIf, pos)
		}
	case kwLoop:
		if start {
			b.push(fLoop, pos)
			b.stmtStart = true
		}
	case kwWhile:
		if start {
			b.push(fWhile, pos)
		}
	case kwRepeat:
		if start {
			b.push(fRepeat, pos)
			b.stmtStart = true
		}
	case kwCase:
		if start {
			b.push(fCaseStmt, pos)
		} else {
			b.push(fCaseExpr, pos)
		}
	case kwThen, kwElse:
		t := b.top()
		b.stmtStart = b.parens == 0 && (t == fIf || t == fCaseStmt)
	case kwDo:
		t := b.top()
		b.stmtStart = t == fWhile || t == 0 // WHILE ... DO, or CREATE EVENT ... DO
	case kwRow, kwDeterministic, kwSQL, kwData:
		// FOR EACH ROW, DETERMINISTIC, CONTAINS SQL, READS SQL DATA:
		// the end of a routine header, where a body without BEGIN starts.
		b.stmtStart = len(b.stack) == 0
	}
}

// mysqlPunct handles a non-word token inside a MySQL routine or block.
func (b *block) mysqlPunct(c byte) {
	if b.pendingEnd {
		b.pendingEnd = false
		b.closeBare()
	}
	switch c {
	case '(':
		b.parens++
		b.stmtStart = false
	case ')':
		if b.parens > 0 {
			b.parens--
		}
		// the end of the parameter list: a body without BEGIN may follow
		b.stmtStart = len(b.stack) == 0 && b.parens == 0
	case ':':
		b.stmtStart = b.parens == 0 // a label; := is followed by '=', which resets this
	default:
		b.stmtStart = false
	}
}

// resolveEnd settles a pending END that no word followed: a bare END.
func (b *block) resolveEnd() {
	if b.pendingEnd {
		b.pendingEnd = false
		b.closeBare()
	}
}

// closeTo closes the innermost open construct of kind k1 (or k2) and
// everything opened inside it. A closer without an opener is ignored.
func (b *block) closeTo(k1, k2 uint8) {
	for i := len(b.stack) - 1; i >= 0; i-- {
		if k := b.stack[i].kind; k == k1 || k2 != 0 && k == k2 {
			b.stack = b.stack[:i]
			return
		}
	}
}

// closeBare handles a bare END: it closes a BEGIN block or a CASE.
func (b *block) closeBare() {
	for i := len(b.stack) - 1; i >= 0; i-- {
		if k := b.stack[i].kind; k == fBegin || k == fCaseExpr || k == fCaseStmt {
			b.stack = b.stack[:i]
			return
		}
	}
}
