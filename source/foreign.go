package source

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// ForeignError says that a file was written for another migration tool:
// it carries that tool's markers (goose's "-- +goose Down", dbmate's
// "-- migrate:down", ...) or is named the way the tool names its files
// (Flyway's V1__name.sql). strata runs every statement of a file, so a
// down section below such a marker would run right after the up section.
// [Load] refuses such a folder; the [*FileError] it returns for the file wraps
// a *ForeignError, so errors.As finds it.
type ForeignError struct {
	// File is the file's path within the FS.
	File string
	// Line is the 1-based line of the first marker, or 0 when the name
	// is what gives the tool away.
	Line int
	// Tool names the tool: goose, sql-migrate, dbmate, Flyway, Liquibase
	// or tern.
	Tool string
	// Marker is the marker line as written (trimmed), or the part of the
	// name that gives the tool away, such as "V1__".
	Marker string
	// DownLine is the 1-based line where the file's down section starts,
	// 0 when it has none.
	DownLine int
}

// Error returns file:line, the tool and the marker.
func (e *ForeignError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s marker %q", e.File, e.Line, e.Tool, e.Marker)
	}
	return fmt.Sprintf("%s: %s file name (%s)", e.File, e.Tool, e.Marker)
}

// fileError is the FileError Load reports for e, with what to do.
func (e *ForeignError) fileError() *FileError {
	up, down := splitNames(e.File)
	var msg string
	switch {
	case e.Tool == "Flyway":
		msg = flywayAdvice(e.File)
	case e.DownLine > 0:
		msg = fmt.Sprintf("written for %s (%s); strata would run the whole file, the down section "+
			"from line %d too: keep the part above line %d in %s, move the part below it to %s, "+
			"and delete the %s markers", e.Tool, e.Marker, e.DownLine, e.DownLine, up, down, e.Tool)
	default:
		msg = fmt.Sprintf("written for %s (%s); strata does not read %s markers and runs every statement "+
			"of the file: keep the up part in %s, put any down part in %s, and remove the %s markers",
			e.Tool, e.Marker, e.Tool, up, down, e.Tool)
	}
	return &FileError{Files: []string{e.File}, Line: e.Line, Msg: msg, Err: e}
}

// splitNames suggests the up and down file names for a foreign file: its
// own name when it is a valid strata name, else the NNNN_ pattern.
func splitNames(path string) (up, down string) {
	fn, err := parseName(path)
	if err != nil || fn.kind != Versioned || fn.down {
		return "NNNN_description.sql", "NNNN_description.down.sql"
	}
	up = upName(fn)
	return up, strings.TrimSuffix(up, ".sql") + ".down.sql"
}

// maxMarkerLine is how much of a line the marker search looks at.
const maxMarkerLine = 256

// marker is one tool's comment marker: the text after "--" (and any
// blanks), compared case-insensitively.
type marker struct {
	tool, prefix string
	down         bool // it starts the down section
	word         bool // it must be followed by a blank or the end of the line
}

// markers are the comment markers of other tools. Each is matched at the
// start of a "--" comment that starts a line, ignoring case, as the tools
// do or more leniently.
var markers = []marker{
	{tool: "goose", prefix: "+goose down", down: true, word: true},
	{tool: "goose", prefix: "+goose", word: true},
	{tool: "sql-migrate", prefix: "+migrate down", down: true, word: true},
	{tool: "sql-migrate", prefix: "+migrate", word: true},
	{tool: "dbmate", prefix: "migrate:down", down: true, word: true},
	{tool: "dbmate", prefix: "migrate:up", word: true},
	{tool: "Liquibase", prefix: "liquibase formatted sql", word: true},
	{tool: "tern", prefix: "-- create above / drop below ----", down: true},
}

// matchMarker reports whether line (one line of a file, without its
// newline, perhaps cut at maxMarkerLine) is another tool's marker.
func matchMarker(line []byte) (m marker, text string, ok bool) {
	s := bytes.TrimLeft(line, " \t\f\v")
	s = bytes.TrimPrefix(s, utf8BOM)
	if !bytes.HasPrefix(s, []byte("--")) {
		return marker{}, "", false
	}
	rest := bytes.TrimLeft(s[2:], " \t")
	for _, mk := range markers {
		if len(rest) < len(mk.prefix) || !bytes.EqualFold(rest[:len(mk.prefix)], []byte(mk.prefix)) {
			continue
		}
		if after := rest[len(mk.prefix):]; mk.word && len(after) > 0 && !isBlank(after[0]) {
			continue
		}
		return mk, markerText(s), true
	}
	if isChangeset(rest) {
		return marker{tool: "Liquibase"}, markerText(s), true
	}
	return marker{}, "", false
}

// isChangeset reports whether a comment's text is a Liquibase
// "changeset author:id" line.
func isChangeset(rest []byte) bool {
	const p = "changeset"
	if len(rest) <= len(p) || !bytes.EqualFold(rest[:len(p)], []byte(p)) || !isBlank(rest[len(p)]) {
		return false
	}
	f := bytes.Fields(rest[len(p):])
	if len(f) == 0 {
		return false
	}
	author, id, ok := bytes.Cut(f[0], []byte(":"))
	return ok && len(author) > 0 && len(id) > 0
}

// markerText is the marker line as shown in messages.
func markerText(s []byte) string {
	t := strings.TrimSpace(string(s))
	if len(t) > 60 {
		t = t[:57] + "..."
	}
	return t
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

// markerLines looks, in a stream given in chunks, for lines that look like
// another tool's marker. It does not know about string literals, so a
// candidate is confirmed by findForeign; most files have none and cost
// only this pass.
type markerLines struct {
	line  []byte // the start of the current line, up to maxMarkerLine bytes
	found bool
}

// reset prepares m for a new file, keeping its buffer.
func (m *markerLines) reset() { *m = markerLines{line: m.line[:0]} }

// feed gives the next chunk of the file.
func (m *markerLines) feed(p []byte) {
	for len(p) > 0 && !m.found {
		i := bytes.IndexByte(p, '\n')
		seg := p
		if i >= 0 {
			seg = p[:i]
		}
		if i >= 0 && len(m.line) == 0 { // a whole line in this chunk: no copy
			if _, _, ok := matchMarker(seg[:min(len(seg), maxMarkerLine)]); ok {
				m.found = true
			}
			p = p[i+1:]
			continue
		}
		if room := maxMarkerLine - len(m.line); room > 0 {
			m.line = append(m.line, seg[:min(room, len(seg))]...)
		}
		if i < 0 {
			return
		}
		m.endLine()
		p = p[i+1:]
	}
}

// endLine checks the line collected so far.
func (m *markerLines) endLine() {
	if _, _, ok := matchMarker(m.line); ok {
		m.found = true
	}
	m.line = m.line[:0]
}

// end checks a last line without a newline.
func (m *markerLines) end() {
	if !m.found && len(m.line) > 0 {
		m.endLine()
	}
}

// confirmForeign reads the file at path again and returns the
// *ForeignError for its first marker outside string literals and block
// comments, or nil when every candidate was inside one.
func confirmForeign(fsys fs.FS, path string) (*ForeignError, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return findForeign(path, data), nil
}

// findForeign scans SQL text for other tools' markers in comment lines
// that start outside any string literal, quoted identifier, dollar-quoted
// body or block comment. It knows the quoting rules of every database
// strata supports at once: '...' with doubled-quote and backslash escapes, "..."
// and `...` identifiers, $tag$...$tag$ bodies, /* */ and -- comments, and
// # comments at the start of a line.
func findForeign(path string, data []byte) *ForeignError {
	var fe *ForeignError
	line, i := 1, 0
	lineStart := true
	for i < len(data) {
		if lineStart {
			lineStart = false
			end := bytes.IndexByte(data[i:], '\n')
			if end < 0 {
				end = len(data) - i
			}
			if mk, text, ok := matchMarker(data[i : i+min(end, maxMarkerLine)]); ok {
				if fe == nil {
					fe = &ForeignError{File: path, Line: line, Tool: mk.tool, Marker: text}
				}
				if mk.down && mk.tool == fe.Tool && fe.DownLine == 0 {
					fe.DownLine = line
				}
			}
			if j := skipBlanks(data, i); j < len(data) && data[j] == '#' {
				i = j // a MySQL # comment: skip to the end of the line
				for i < len(data) && data[i] != '\n' {
					i++
				}
				continue
			}
		}
		c := data[i]
		var next byte
		if i+1 < len(data) {
			next = data[i+1]
		}
		start := i
		switch {
		case c == '\n':
			line++
			lineStart = true
			i++
			continue
		case c == '-' && next == '-':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			continue
		case c == '/' && next == '*':
			i = closeAt(data, i+2, []byte("*/"))
		case c == '\'':
			i = closeQuote(data, i+1, '\'', true)
		case c == '"' || c == '`':
			i = closeQuote(data, i+1, c, false)
		case c == '$' && (i == 0 || !isIdent(data[i-1])):
			tag, ok := dollarTag(data[i:])
			if !ok {
				i++
				continue
			}
			i = closeAt(data, i+len(tag), tag)
		default:
			i++
			continue
		}
		line += bytes.Count(data[start:i], []byte{'\n'})
	}
	return fe
}

// skipBlanks returns the index of the first non-blank byte from i.
func skipBlanks(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// closeAt returns the index just past the first end at or after i, or
// len(data) when there is none.
func closeAt(data []byte, i int, end []byte) int {
	j := bytes.Index(data[i:], end)
	if j < 0 {
		return len(data)
	}
	return i + j + len(end)
}

// closeQuote returns the index just past the quote q that closes a quoted
// text starting at i, or len(data). A doubled quote closes and reopens,
// which comes to the same.
func closeQuote(data []byte, i int, q byte, backslash bool) int {
	for i < len(data) {
		switch data[i] {
		case q:
			return i + 1
		case '\\':
			if backslash {
				i++
			}
		}
		i++
	}
	return len(data)
}

// dollarTag returns the $tag$ (or $$) that starts data, if one does.
func dollarTag(data []byte) ([]byte, bool) {
	for j := 1; j < len(data); j++ {
		c := data[j]
		switch {
		case c == '$':
			return data[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case c >= '0' && c <= '9' && j > 1:
		default:
			return nil, false
		}
	}
	return nil, false
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// flywayName returns the ForeignError for a file named the way Flyway
// names its versioned (V1__x.sql, V1.1__x.sql) and undo (U1__x.sql)
// migrations. Flyway's R__x.sql is also strata's repeatable migration.
func flywayName(name string) (*ForeignError, bool) {
	if len(name) < 2 || !strings.ContainsRune("VvUu", rune(name[0])) {
		return nil, false
	}
	ver, _, ok := strings.Cut(name[1:], "__")
	if !ok || ver == "" || ver[0] < '0' || ver[0] > '9' || strings.Trim(ver, "0123456789._") != "" {
		return nil, false
	}
	return &ForeignError{File: name, Tool: "Flyway", Marker: name[:1] + ver + "__"}, true
}

// flywayAdvice says how to rename a Flyway file.
func flywayAdvice(name string) string {
	kind, rest := name[0], name[1:]
	ver, desc, _ := strings.Cut(rest, "__")
	desc = strings.TrimSuffix(desc, ".sql")
	if strings.Trim(ver, "0123456789") != "" {
		return fmt.Sprintf("named for Flyway (version %s); strata versions are whole numbers: "+
			"renumber the Flyway files in order as NNNN_description.sql (undo files as "+
			"NNNN_description.down.sql)", ver)
	}
	n := strings.TrimLeft(ver, "0")
	if n == "" {
		n = "0"
	}
	if len(n) < 4 {
		n = strings.Repeat("0", 4-len(n)) + n
	}
	if kind == 'U' || kind == 'u' {
		return fmt.Sprintf("named for Flyway (an undo migration); strata's down files sit beside their up file: "+
			"rename it to %s_%s.down.sql", n, desc)
	}
	return fmt.Sprintf("named for Flyway (a versioned migration): rename it to %s_%s.sql", n, desc)
}
