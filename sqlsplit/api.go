// Package sqlsplit is a streaming SQL statement scanner. It reads an
// io.Reader and yields one Statement at a time, with the line and column
// where it starts, so that strata can send statements one by one and name
// the failing one in every error. It understands the quoting, comment and
// block rules of PostgreSQL, MySQL/MariaDB and SQLite, including dollar
// quotes, BEGIN ... END bodies and the mysql client's DELIMITER directive.
//
// The scanner never holds more than the current statement in memory.
package sqlsplit

import "fmt"

// Dialect selects the lexical rules the scanner applies.
type Dialect int

// The dialects the scanner understands.
const (
	Postgres Dialect = iota + 1
	MySQL
	SQLite
)

// String returns the dialect's lower-case name.
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Options configure a [Scanner].
type Options struct {
	// Dialect chooses the lexical rules. It is required.
	Dialect Dialect
	// MaxStatementBytes, when positive, makes Next fail with an [*Error]
	// as soon as a statement grows beyond this many bytes (for example
	// MySQL's max_allowed_packet), before anything is sent.
	MaxStatementBytes int
	// LimitName names the limit in the error for a too-large statement,
	// such as "MySQL's max_allowed_packet"; "MaxStatementBytes" when empty.
	LimitName string
	// Backslash says whether a backslash escapes the next character in
	// ordinary quoted strings, which changes where a string ends. The
	// server decides: MySQL's sql_mode NO_BACKSLASH_ESCAPES, PostgreSQL's
	// standard_conforming_strings. [BackslashDefault] is the dialect's
	// default. SQLite ignores it.
	Backslash Backslash
}

// Backslash is how a backslash reads inside an ordinary quoted string.
type Backslash int

// The backslash rules.
const (
	// BackslashDefault is the dialect's default: MySQL's '...' and "..."
	// strings take backslash escapes; PostgreSQL's '...' strings
	// (standard_conforming_strings=on) and SQLite's do not.
	BackslashDefault Backslash = iota
	// BackslashEscapes makes a backslash escape the next character: MySQL
	// without NO_BACKSLASH_ESCAPES, PostgreSQL with
	// standard_conforming_strings=off.
	BackslashEscapes
	// BackslashLiteral makes a backslash an ordinary character: MySQL
	// with NO_BACKSLASH_ESCAPES, PostgreSQL with
	// standard_conforming_strings=on. PostgreSQL's E'...' strings take
	// escapes whatever this says.
	BackslashLiteral
)

// String names the rule for messages.
func (b Backslash) String() string {
	switch b {
	case BackslashEscapes:
		return "backslash escapes"
	case BackslashLiteral:
		return "backslash is literal"
	}
	return "dialect default"
}

// Statement is one SQL statement as found in the input.
type Statement struct {
	// Text is the statement as it is sent to the server: leading
	// whitespace and comments and the terminating delimiter removed,
	// trailing whitespace trimmed. Never empty.
	Text string
	// Raw is every byte the scanner consumed for this statement, from the
	// end of the previous statement up to and including this statement's
	// delimiter: leading whitespace, comments, DELIMITER directive lines,
	// Text and the delimiter. Text is a substring of Raw at TextStart.
	Raw string
	// TextStart is the byte index of Text within Raw.
	TextStart int
	// Line and Col are the 1-based position of Text's first byte in the
	// input (Col counts bytes).
	Line, Col int
	// EndLine is the line of Text's last byte.
	EndLine int
	// Offset is the byte offset of Text's first byte in the input.
	Offset int64
	// Comments holds the comments that precede the statement (after the
	// previous statement), each with its comment markers, in order. It is
	// where file directives such as "-- strata:lint-ignore" are found.
	Comments []string
}

// Error is a scanning error at a position in the input, such as an
// unterminated quote, comment, dollar quote or body, or a psql
// meta-command. Callers add the file name.
type Error struct {
	Line, Col int    // where the offending construct opened
	Msg       string // lower-case, says what is wrong and what to do
}

// Error formats the error as "line L:C: message".
func (e *Error) Error() string { return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg) }
