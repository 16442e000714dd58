package importer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata/sqlsplit"
)

// line is one line of a source file, without its line break.
type line struct {
	no   int
	text string
}

// splitLines cuts data into lines as bufio.Scanner does (a final line
// without a break counts; a CR before the LF is kept in text, as the
// tools keep it).
func splitLines(data []byte) []line {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var out []line
	for i := 1; len(data) > 0; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			out = append(out, line{no: i, text: string(data)})
			break
		}
		out = append(out, line{no: i, text: string(data[:j])})
		data = data[j+1:]
	}
	return out
}

// block is a statement block: lines the tool sends as one statement.
type block struct {
	start int // line of its first SQL line
	text  string
}

// section is the up or the down part of a file written with section
// markers, as strata lines plus what the markers said.
type section struct {
	present bool
	start   int // line of the marker that opened it
	lines   []line
	blocks  []block
	noTx    bool
}

// render writes the section as a strata file: the no-transaction
// directive first when the tool ran it outside a transaction, then its
// lines. Blocks are wrapped in DELIMITER lines for MySQL when wrap says so.
func (s *section) render(wrap map[int]bool) []byte {
	var b bytes.Buffer
	if s.noTx {
		b.WriteString("-- strata:no-transaction\n")
	}
	inBlock := map[int]int{} // first line of a wrapped block -> last line
	for _, bl := range s.blocks {
		if wrap[bl.start] {
			inBlock[bl.start] = bl.start + strings.Count(bl.text, "\n")
		}
	}
	var end int
	for _, l := range s.lines {
		if last, ok := inBlock[l.no]; ok {
			b.WriteString("DELIMITER //\n")
			end = last
		}
		b.WriteString(l.text)
		b.WriteByte('\n')
		if end != 0 && l.no == end {
			b.WriteString("//\nDELIMITER ;\n")
			end = 0
		}
	}
	return trimBlankEnd(b.Bytes())
}

// trimBlankEnd removes blank lines at the end, keeping one final newline.
func trimBlankEnd(p []byte) []byte {
	t := bytes.TrimRight(p, " \t\r\n")
	if len(t) == 0 {
		return []byte{}
	}
	return append(t[:len(t):len(t)], '\n')
}

// normStatement is the form statements are compared in: comment lines
// before the statement dropped, trailing delimiter and blanks trimmed.
func normStatement(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if !strings.HasPrefix(s, "--") {
			break
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	s = strings.TrimRight(s, " \t\r\n")
	s = strings.TrimRight(s, ";")
	s = strings.TrimRight(s, " \t\r\n")
	s = strings.TrimSuffix(s, "//")
	return strings.TrimRight(s, " \t\r\n")
}

// checkBlocks makes sure strata's splitter cuts every block of sec into
// one statement with the block's text, in the dialect chosen. For MySQL a
// block the splitter would cut differently is wrapped in DELIMITER lines;
// otherwise it is a Problem. It returns the rendered section.
func (st *convState) checkBlocks(path string, sec *section) []byte {
	out := sec.render(nil)
	d := st.opts.Dialect
	if d == 0 || len(sec.blocks) == 0 {
		return out
	}
	bad := badBlocks(out, sec.blocks, d, nil)
	if len(bad) == 0 {
		return out
	}
	if d == sqlsplit.MySQL {
		wrap := map[int]bool{}
		for _, b := range bad {
			wrap[b.start] = true
		}
		out = sec.render(wrap)
		bad = badBlocks(out, sec.blocks, d, wrap)
	}
	for _, b := range bad {
		st.problem(path, b.start, StatementBlock, "strata's %s splitter would not send this statement block as the one statement the tool sends; rewrite it so it splits (for example with dollar quotes) or exclude the file", d)
	}
	return out
}

// badBlocks returns the blocks strata would not send as the tool does.
// A block the splitter cuts into one statement with the block's text is
// good. A block it cuts into several complete statements is good on
// PostgreSQL and SQLite, where sending them one by one inside the file's
// transaction has the effect of the tool's single multi-statement call,
// and bad on MySQL, where wrapping it in DELIMITER lines keeps it whole.
// In the wrapped file (wrapped true) every block must come out whole.
func badBlocks(file []byte, blocks []block, d sqlsplit.Dialect, wrapped map[int]bool) []block {
	stmts, err := sqlsplit.Split(string(file), sqlsplit.Options{Dialect: d})
	if err != nil {
		return blocks
	}
	have := make(map[string]bool, len(stmts))
	for _, s := range stmts {
		have[normStatement(s.Text)] = true
	}
	var bad []block
	for _, b := range blocks {
		if have[normStatement(b.text)] {
			continue
		}
		if wrapped[b.start] || d == sqlsplit.MySQL {
			bad = append(bad, b)
			continue
		}
		if own, err := sqlsplit.Split(b.text, sqlsplit.Options{Dialect: d}); err != nil || len(own) < 2 {
			bad = append(bad, b)
		}
	}
	return bad
}

// annotated is the grammar of a tool that writes "-- +tool Up/Down" style
// markers.
type annotated struct {
	tool string
	// parse classifies a marker line: ok is false for an ordinary line.
	parse func(text string) (m marker, ok bool, err error)
}

// markerKind is what a marker line means.
type markerKind int

const (
	mUp markerKind = iota + 1
	mDown
	mBegin
	mEnd
	mNoTx
	mEnvsubOn
	mEnvsubOff
)

// marker is a parsed marker line.
type marker struct {
	kind markerKind
	noTx bool // the Up/Down marker also says notransaction
}

// parsed is a file cut into its up and down sections.
type parsed struct {
	up, down section
	envsub   []line // lines with ${...} while ENVSUB was on
}

// parseAnnotated cuts a goose or sql-migrate file into sections. Marker
// lines are dropped; every other line is kept in the section it belongs to
// (lines before the first marker are kept in the up section only when they
// are comments or blank, as both tools ignore them).
func parseAnnotated(a annotated, path string, data []byte) (*parsed, error) {
	p := &parsed{}
	var cur *section
	var blk *block
	var blkLines []string
	envsub := false
	var pre []line
	for _, l := range splitLines(data) {
		m, ok, err := a.parse(l.text)
		if err != nil {
			return nil, perr(l.no, "%v", err)
		}
		if !ok {
			if cur == nil {
				if t := strings.TrimSpace(l.text); t != "" && !strings.HasPrefix(t, "--") {
					return nil, perr(l.no, "SQL before the first %s Up marker", a.tool)
				}
				pre = append(pre, l) // comments before the first marker: kept in the up file
				continue
			}
			cur.lines = append(cur.lines, l)
			if blk != nil {
				if blk.start == 0 {
					blk.start = l.no
				}
				blkLines = append(blkLines, l.text)
			}
			if envsub && strings.Contains(l.text, "${") {
				p.envsub = append(p.envsub, l)
			}
			continue
		}
		switch m.kind {
		case mUp, mDown:
			if blk != nil {
				return nil, perr(l.no, "section marker inside a statement block")
			}
			cur = &p.up
			if m.kind == mDown {
				cur = &p.down
			}
			if cur.present {
				return nil, perr(l.no, "repeated %s section marker", a.tool)
			}
			cur.present, cur.start = true, l.no
			if m.kind == mUp && len(pre) > 0 {
				cur.lines, pre = append(cur.lines, trimBlankLines(pre)...), nil
			}
			cur.noTx = cur.noTx || m.noTx
		case mBegin:
			if cur == nil || blk != nil {
				return nil, perr(l.no, "StatementBegin outside a section or inside another block")
			}
			blk, blkLines = &block{}, nil
		case mEnd:
			if blk == nil {
				return nil, perr(l.no, "StatementEnd without StatementBegin")
			}
			blk.text = strings.Join(blkLines, "\n")
			if blk.start != 0 {
				cur.blocks = append(cur.blocks, *blk)
			}
			blk = nil
		case mNoTx:
			// goose: the whole file (both directions) runs outside a transaction.
			p.up.noTx, p.down.noTx = true, true
		case mEnvsubOn:
			envsub = true
		case mEnvsubOff:
			envsub = false
		}
	}
	if blk != nil {
		return nil, perr(0, "StatementBegin without StatementEnd")
	}
	if !p.up.present {
		return nil, perr(0, "no %s Up marker", a.tool)
	}
	return p, nil
}

// parseError is a malformed source file, at a line (0: the whole file).
type parseError struct {
	line int
	msg  string
}

// Error returns the message.
func (e *parseError) Error() string { return e.msg }

// perr returns a *parseError.
func perr(line int, format string, args ...any) error {
	return &parseError{line: line, msg: fmt.Sprintf(format, args...)}
}

// reportParse records a parse error as an Unsupported problem of path.
func (st *convState) reportParse(path string, err error) {
	var pe *parseError
	if errors.As(err, &pe) {
		st.problem(path, pe.line, Unsupported, "%s", pe.msg)
		return
	}
	st.problem(path, 0, Unsupported, "%v", err)
}

// trimBlankLines drops blank lines at the end of ls.
func trimBlankLines(ls []line) []line {
	for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1].text) == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}
