package sqlsplit

// delimiterDirective reports whether buf[i] starts a MySQL client
// DELIMITER directive: the word DELIMITER (any case) first on its line,
// followed by a space or tab.
func (s *Scanner) delimiterDirective(i int) bool {
	if !s.isDelimiterWord(i) {
		return false
	}
	j := i - 1
	for j >= 0 && (s.buf[j] == ' ' || s.buf[j] == '\t') {
		j--
	}
	if j < 0 {
		return s.prevNL
	}
	if j == 2 && s.base == 0 && s.buf[0] == 0xEF && s.buf[1] == 0xBB && s.buf[2] == 0xBF {
		return true // a byte order mark starts the file
	}
	return s.buf[j] == '\n'
}

// isDelimiterWord reports whether "delimiter" followed by a space or tab
// is at buf[i].
func (s *Scanner) isDelimiterWord(i int) bool {
	const w = "delimiter"
	if !s.has(i + len(w)) {
		return false
	}
	for k := 0; k < len(w); k++ {
		c := s.buf[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	c := s.buf[i+len(w)]
	return c == ' ' || c == '\t'
}

// directiveAhead reports whether the line starting at buf[j] is a
// DELIMITER directive (MySQL only).
func (s *Scanner) directiveAhead(j int) bool {
	for s.has(j) && (s.buf[j] == ' ' || s.buf[j] == '\t') {
		j++
	}
	return s.has(j) && s.buf[j]|0x20 == 'd' && s.isDelimiterWord(j)
}

// directive applies the DELIMITER directive at buf[i] and moves past its
// line. The new delimiter is the first word after DELIMITER, optionally
// quoted; the rest of the line is ignored, as the mysql client does.
func (s *Scanner) directive(i int) error {
	end := s.lineEnd(i)
	j := i + len("delimiter")
	for j < end && isSpace(s.buf[j]) {
		j++
	}
	k := j
	if k < end && (s.buf[k] == '\'' || s.buf[k] == '"' || s.buf[k] == '`') {
		q := s.buf[k]
		k++
		for k < end && s.buf[k] != q {
			k++
		}
		if k >= end {
			return s.errAt(j, "unterminated quoted delimiter %c in DELIMITER directive; close it with %c", q, q)
		}
		j++
	} else {
		for k < end && !isSpace(s.buf[k]) {
			k++
		}
	}
	d := s.buf[j:k]
	if len(d) == 0 {
		return s.errAt(i, "DELIMITER needs a delimiter after it, for example DELIMITER // (and DELIMITER ; to restore the default)")
	}
	for _, c := range d {
		if c == '\\' {
			return s.errAt(j, "a delimiter cannot contain a backslash; choose another, for example DELIMITER //")
		}
	}
	s.setDelim(d)
	s.pos = end
	return nil
}

// metaCommand returns the error for a psql meta-command at buf[i].
func (s *Scanner) metaCommand(i int) error {
	j := i + 1
	for s.has(j) && j-i < 40 && !isSpace(s.buf[j]) && s.buf[j] != '\\' {
		j++
	}
	cmd := string(s.buf[i:j])
	hint := "remove it"
	switch cmd {
	case `\c`, `\connect`:
		hint = "remove it (use --url to choose the database)"
	case `\i`, `\ir`, `\include`, `\include_relative`:
		hint = "remove it (put the included statements in the migration itself)"
	case `\set`, `\unset`:
		hint = "remove it (psql variables are not expanded; write the values into the SQL)"
	case `\gexec`, `\g`:
		hint = "remove it (end the statement with ; instead)"
	}
	return s.errAt(i, "psql meta-command %s is a psql client command, not SQL; strata sends SQL to the server: %s", cmd, hint)
}
