package sqlsplit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

const (
	// readChunk is how much the scanner asks the reader for at a time.
	readChunk = 32 << 10
	// firstChunk is the first read's size.
	firstChunk = 1 << 10
	// shrinkAbove is the buffer capacity above which the buffer is given
	// back after a large statement, so that one huge statement does not
	// pin its memory for the rest of the input.
	shrinkAbove = 1 << 20
)

// Scanner reads SQL statements one at a time from an io.Reader. It holds
// only the current statement and a small read-ahead in memory. A Scanner
// is not safe for concurrent use.
type Scanner struct {
	r    io.Reader
	opts Options

	class [256]uint8 // lexical class of every byte for the dialect
	fast  [256]bool  // bytes that need a look when no block is tracked

	mem  []byte // the memory buf lives in
	buf  []byte // the current statement's bytes, from its first Raw byte, plus read-ahead
	pos  int    // scan position in buf
	eof  bool   // the reader is exhausted
	rerr error  // a read error from the reader
	err  error  // sticky error returned by Next
	done bool   // Next returned io.EOF

	trailing string

	base   int64 // input offset of buf[0]
	prevNL bool  // buf[0] starts a line

	// line cursor: the line of buf[curOff] and the input offset where that line starts.
	curOff       int
	curLine      int
	curLineStart int64
	// the cursor at buf[0]
	bufLine      int
	bufLineStart int64

	delim []byte // statement delimiter; changed by MySQL's DELIMITER directive

	// per statement
	textStart   int      // index in buf of Text's first byte, -1 before it is found
	lastTokEnd  int      // index just after the last quoted token, comment or dollar quote
	execOpen    int      // index of an open MySQL /*! comment, or -1
	comments    [][2]int // leading comments as buf ranges
	cmtRunStart int      // start of the latest run of comments inside the statement
	cmtEnd      int      // end of the latest comment inside the statement, or -1
	tag         []byte   // the open dollar-quote tag
	tooBig      bool     // the statement outgrew Options.MaxStatementBytes
	blk         block
}

// SetBackslash changes the backslash rule for the statements after the
// one Next returned last: a file's own SET sql_mode or SET
// standard_conforming_strings changes how the server reads the rest of
// the file.
func (s *Scanner) SetBackslash(b Backslash) { s.opts.Backslash = b }

// NewScanner returns a scanner reading r with the given options.
func NewScanner(r io.Reader, opts Options) *Scanner {
	s := &Scanner{
		r:       r,
		opts:    opts,
		prevNL:  true,
		curLine: 1, bufLine: 1,
		delim:     []byte{';'},
		textStart: -1,
		execOpen:  -1,
	}
	s.buildClasses()
	if opts.Dialect < Postgres || opts.Dialect > SQLite {
		s.err = fmt.Errorf("sqlsplit: unknown dialect %v: set Options.Dialect to Postgres, MySQL or SQLite", opts.Dialect)
	}
	return s
}

// Next returns the next statement, io.EOF after the last one, or an
// [*Error] (its position is where the offending construct opened). A read
// error from the underlying reader is returned wrapped. After an error,
// Next keeps returning it.
func (s *Scanner) Next() (Statement, error) {
	if s.err != nil {
		return Statement{}, s.err
	}
	if s.done {
		return Statement{}, io.EOF
	}
	st, err := s.next()
	if err != nil {
		if err == io.EOF {
			s.done = true
		} else {
			s.err = err
		}
		return Statement{}, err
	}
	return st, nil
}

// Trailing returns the bytes after the last statement: whitespace,
// comments, empty statements and DELIMITER lines. It is valid once Next
// has returned io.EOF.
func (s *Scanner) Trailing() string { return s.trailing }

// Split scans a whole string and returns its statements. On error it
// returns the statements found before the error and the error.
func Split(sql string, opts Options) ([]Statement, error) {
	s := NewScanner(strings.NewReader(sql), opts)
	var out []Statement
	for {
		st, err := s.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
}

// more reads from the reader into buf. It returns false when nothing more
// can be read: at the end of input, on a read error (kept in rerr) or when
// the statement outgrew MaxStatementBytes (tooBig).
func (s *Scanner) more() bool {
	if s.eof {
		return false
	}
	if m := s.opts.MaxStatementBytes; m > 0 && s.textStart >= 0 && len(s.buf)-s.textStart > m+readChunk {
		s.tooBig = true
		return false
	}
	// Read in chunks that start small, so a scanner over a tiny file
	// (the usual migration) costs little, and grow to readChunk.
	chunk := min(readChunk, max(firstChunk, cap(s.mem)/4))
	if cap(s.buf)-len(s.buf) < chunk {
		// Make room: move the statement to the front of the memory, or
		// grow the memory when the statement fills half of it.
		if len(s.buf)+2*chunk > cap(s.mem)/2 {
			s.mem = make([]byte, max(2*cap(s.mem), len(s.buf)+4*chunk))
		}
		n := copy(s.mem, s.buf)
		s.buf = s.mem[:n]
	}
	for tries := 0; ; tries++ {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
				return false
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
		if tries > 100 {
			s.eof, s.rerr = true, io.ErrNoProgress
			return false
		}
	}
}

// has reports whether buf holds index j, reading more input if needed.
func (s *Scanner) has(j int) bool {
	for j >= len(s.buf) {
		if !s.more() {
			return false
		}
	}
	return true
}

// lineCol returns the 1-based line and byte column of buf[p].
func (s *Scanner) lineCol(p int) (line, col int) {
	if p < s.curOff {
		s.curOff, s.curLine, s.curLineStart = 0, s.bufLine, s.bufLineStart
	}
	seg := s.buf[s.curOff:p]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		s.curLine += n
		s.curLineStart = s.base + int64(s.curOff+bytes.LastIndexByte(seg, '\n')+1)
	}
	s.curOff = p
	return s.curLine, int(s.base+int64(p)-s.curLineStart) + 1
}

// errAt returns an *Error at buf[p], unless a read error or the size
// limit explains the failure better.
func (s *Scanner) errAt(p int, format string, args ...any) error {
	if err := s.stopErr(); err != nil {
		return err
	}
	line, col := s.lineCol(p)
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// stopErr returns the error that stopped reading early, if any.
func (s *Scanner) stopErr() error {
	if s.rerr != nil {
		return fmt.Errorf("sqlsplit: reading input: %w", s.rerr)
	}
	if s.tooBig {
		line, col := s.lineCol(s.textStart)
		name := s.opts.LimitName
		if name == "" {
			name = "MaxStatementBytes"
		}
		return &Error{Line: line, Col: col, Msg: fmt.Sprintf(
			"statement is larger than the limit of %d bytes (%s); split it into smaller statements (fewer rows per INSERT) or raise the limit",
			s.opts.MaxStatementBytes, name)}
	}
	return nil
}

// emit builds the statement whose Text is buf[ts:te] and whose Raw ends
// at rawEnd, then drops its bytes from the buffer.
func (s *Scanner) emit(ts, te, rawEnd int) (Statement, error) {
	if m := s.opts.MaxStatementBytes; m > 0 && te-ts > m {
		s.tooBig = true
		return Statement{}, s.stopErr()
	}
	raw := string(s.buf[:rawEnd])
	st := Statement{Text: raw[ts:te], Raw: raw, TextStart: ts, Offset: s.base + int64(ts)}
	st.Line, st.Col = s.lineCol(ts)
	st.EndLine, _ = s.lineCol(te - 1)
	if len(s.comments) > 0 {
		st.Comments = make([]string, len(s.comments))
		for i, c := range s.comments {
			st.Comments[i] = raw[c[0]:c[1]]
		}
	}
	s.pos = rawEnd
	s.consume(rawEnd)
	return st, nil
}

// consume drops buf[:n], keeping the read-ahead, and moves every
// position and the line cursor accordingly.
func (s *Scanner) consume(n int) {
	s.lineCol(n)
	s.bufLine, s.bufLineStart = s.curLine, s.curLineStart
	if n > 0 {
		s.prevNL = s.buf[n-1] == '\n'
	}
	// No copy here: buf slides along mem, and more compacts it when
	// it needs room, so each byte is moved about once.
	s.buf = s.buf[n:]
	if cap(s.mem) > shrinkAbove && len(s.buf) < readChunk {
		s.mem = make([]byte, 8*readChunk)
		k := copy(s.mem, s.buf)
		s.buf = s.mem[:k]
	}
	s.base += int64(n)
	s.pos -= n
	s.curOff = 0
	s.textStart = -1
}

// trimEnd returns the index after the last non-space byte of buf[ts:te].
func (s *Scanner) trimEnd(ts, te int) int {
	for te > ts && isSpace(s.buf[te-1]) {
		te--
	}
	return te
}
