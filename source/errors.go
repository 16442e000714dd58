package source

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// FileError is a problem with one or more migration files. [Load] returns
// every FileError it finds in a folder (names, versions, directives),
// joined with [errors.Join]; use [errors.As] to get the first one, or
// errors.Join's Unwrap() []error to get them all. The strata package
// returns one for a file it cannot read or split (an unterminated quote, a
// psql meta-command, an I/O error) while planning or running: nothing of
// that file was run.
type FileError struct {
	// Files are the paths involved: within the FS for [Load], display
	// names (the folder's name joined with the path) from strata.
	Files []string
	// Line is the 1-based line the problem is on, or 0 when it is about
	// the file as a whole.
	Line int
	// Msg says, in lower case, what is wrong and what to do about it
	// ("" when Err says it).
	Msg string
	// Err is the underlying error, such as an fs error, or nil.
	Err error
}

// Error returns the files (the first one as file:line when Line is set)
// and the message (Err's when Msg is empty), for example
// "0002_a.sql, 0002_b.sql: two files have version 2: renumber one of them".
func (e *FileError) Error() string {
	var b strings.Builder
	for i, f := range e.Files {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteName(f))
		if i == 0 && e.Line > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(e.Line))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Msg == "" && e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString(e.Msg)
	}
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *FileError) Unwrap() error { return e.Err }

// quoteName returns a file name as it is safe to print: unchanged when it
// is valid UTF-8 and every character is printable, otherwise quoted with
// Go escapes, so a newline or an escape sequence in a name cannot forge
// output lines or drive the terminal.
func quoteName(name string) string {
	if !utf8.ValidString(name) || badName(name) != "" {
		return strconv.Quote(name)
	}
	for _, r := range name {
		if !strconv.IsPrint(r) && r != ' ' {
			return strconv.Quote(name)
		}
	}
	return name
}
