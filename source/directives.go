package source

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Directives are the "-- strata:NAME [ARGS]" comment lines at the top of a
// migration file, before its first SQL statement. Comment lines ("--" and
// "#") and block comments may come before and between them; the first
// other text ends the header, and a "-- strata:" line after it is an
// ordinary comment. Block comments are taken not to nest, as in MySQL and
// SQLite: after a nested PostgreSQL /* /* */ */ the header has ended.
type Directives struct {
	// NoTransaction is set by "-- strata:no-transaction": run the file
	// outside a transaction (for example CREATE INDEX CONCURRENTLY).
	NoTransaction bool
	// LockTimeout is set by "-- strata:lock-timeout DURATION" (a
	// time.ParseDuration string such as 5s); zero when absent.
	LockTimeout time.Duration
	// Phase is set by "-- strata:phase pre-deploy|post-deploy"; "" when
	// absent (the file's folder decides, see Migration.Phase).
	Phase Phase
}

// knownDirectives lists the directives for error messages.
const knownDirectives = "strata:no-transaction, strata:lock-timeout DURATION (such as 5s), " +
	"strata:phase pre-deploy|post-deploy, strata:lint-ignore"

// maxHeaderLine bounds the memory the header parser uses for one line. A
// longer line ends the header.
const maxHeaderLine = 64 << 10

// lineError is a problem found at a line of a file.
type lineError struct {
	line int
	msg  string
}

// header parses the directives from a file given in chunks. It stops
// looking (done) at the first SQL text.
type header struct {
	done               bool
	inBlock            bool // inside a /* */ comment
	line               []byte
	lineNo             int // 1-based number of the line in line
	dirs               Directives
	seenNoTx, seenLock int // line each directive was first seen on, 0 if not yet
	seenPhase          int
	errs               []lineError
}

// reset prepares h for a new file, keeping its buffer.
func (h *header) reset() {
	*h = header{line: h.line[:0], lineNo: 1}
}

// feed gives the parser the next chunk of raw file bytes.
func (h *header) feed(p []byte) {
	for !h.done && len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			h.add(p)
			return
		}
		h.add(p[:i])
		p = p[i+1:]
		if !h.done {
			h.processLine()
			h.line = h.line[:0]
			h.lineNo++
		}
	}
}

// end processes a last line that has no newline.
func (h *header) end() {
	if !h.done && len(h.line) > 0 {
		h.processLine()
	}
	h.done = true
}

// add appends to the current line, ending the header when the line is
// too long to be a comment anyone reads.
func (h *header) add(p []byte) {
	if len(h.line)+len(p) > maxHeaderLine {
		h.done = true
		return
	}
	h.line = append(h.line, p...)
}

// processLine classifies one complete line of the header.
func (h *header) processLine() {
	s := h.line
	if h.lineNo == 1 {
		s = bytes.TrimPrefix(s, utf8BOM)
	}
	for {
		if h.inBlock {
			j := bytes.Index(s, []byte("*/"))
			if j < 0 {
				return
			}
			s, h.inBlock = s[j+2:], false
		}
		s = bytes.TrimLeft(s, " \t\r\f\v")
		switch {
		case len(s) == 0:
			return
		case bytes.HasPrefix(s, []byte("--")):
			h.comment(string(s[2:]))
			return
		case s[0] == '#':
			return
		case bytes.HasPrefix(s, []byte("/*!")): // MySQL executable comment: SQL
			h.done = true
			return
		case bytes.HasPrefix(s, []byte("/*")):
			s, h.inBlock = s[2:], true
		default:
			h.done = true
			return
		}
	}
}

// comment handles the text of one "--" comment in the header.
func (h *header) comment(text string) {
	text = strings.TrimSpace(text)
	if len(text) < len("strata:") || !strings.EqualFold(text[:len("strata:")], "strata:") {
		return
	}
	name, args, _ := strings.Cut(text[len("strata:"):], " ")
	if i := strings.IndexAny(name, "\t\f\v"); i >= 0 {
		name, args = name[:i], name[i+1:]+" "+args
	}
	args = strings.TrimSpace(args)
	switch name {
	case "no-transaction":
		if h.repeated(name, h.seenNoTx) {
			return
		}
		if args != "" {
			h.errorf("strata:no-transaction takes no argument, got %q: remove it", args)
			return
		}
		h.dirs.NoTransaction, h.seenNoTx = true, h.lineNo
	case "lock-timeout":
		if h.repeated(name, h.seenLock) {
			return
		}
		d, err := time.ParseDuration(args)
		if err != nil || d <= 0 {
			h.errorf("strata:lock-timeout needs a positive duration such as 5s or 1m30s, got %q", args)
			return
		}
		h.dirs.LockTimeout, h.seenLock = d, h.lineNo
	case "phase":
		if h.repeated(name, h.seenPhase) {
			return
		}
		p, err := ParsePhase(args)
		if err != nil || args == "" {
			h.errorf("strata:phase needs pre-deploy or post-deploy, got %q", args)
			return
		}
		h.dirs.Phase, h.seenPhase = p, h.lineNo
	case "lint-ignore":
		// Read by the linter, not here; it may appear any number of times.
	default:
		h.errorf("unknown directive %q: the known directives are %s; fix the spelling or "+
			"remove the strata: prefix", "strata:"+name, knownDirectives)
	}
}

// repeated reports (and records an error) when a directive first seen on
// line first appears again.
func (h *header) repeated(name string, first int) bool {
	if first == 0 {
		return false
	}
	h.errorf("directive strata:%s is repeated (first on line %d): keep one", name, first)
	return true
}

// errorf records a problem on the current line.
func (h *header) errorf(format string, args ...any) {
	h.errs = append(h.errs, lineError{line: h.lineNo, msg: fmt.Sprintf(format, args...)})
}
