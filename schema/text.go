package schema

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Header is how the canonical text begins: this prefix, then the dialect.
const Header = "# strata schema v1:"

// kindOrder is the order Normalize puts kinds in: roughly the order a
// schema is built in. Kinds not listed come after, by name.
var kindOrder = []Kind{
	KindSchema, KindExtension, KindType, KindDomain, KindSequence, KindTable, KindIndex,
	KindView, KindMaterializedView, KindFunction, KindProcedure, KindTrigger, KindEvent,
}

// knownKinds is kindOrder longest first, so that Parse reads
// "materialized view x" as that kind and not as a view.
func knownKinds() []Kind {
	k := slices.Clone(kindOrder)
	slices.SortStableFunc(k, func(a, b Kind) int { return len(b) - len(a) })
	return k
}

func kindRank(k Kind) int {
	if i := slices.Index(kindOrder, k); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// compareObjects orders objects by kind (kindOrder), then kind name, then
// object name.
func compareObjects(a, b Object) int {
	if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// Normalize sorts the objects by kind, then name. Each object's attributes
// keep the order the reader gave them.
func (s *Snapshot) Normalize() {
	slices.SortStableFunc(s.Objects, compareObjects)
}

// Text returns the canonical text of s: a header line naming the dialect,
// then one block per object in Normalize's order, separated by blank
// lines. A block is a line "KIND NAME" followed by one line per attribute,
// "  KEY: VALUE". A value of several lines is written as "  KEY:" followed
// by one line "    | LINE" per line ("    |" for an empty line). Names,
// keys and values that could not be read back as written (control
// characters, surrounding spaces, a leading quote, a colon in a key) are
// written as Go-quoted strings. Text does not modify s.
func (s *Snapshot) Text() string {
	var b strings.Builder
	b.WriteString(Header)
	if s.Dialect != "" {
		b.WriteString(" " + token(s.Dialect, false))
	}
	b.WriteByte('\n')
	objs := slices.Clone(s.Objects)
	slices.SortStableFunc(objs, compareObjects)
	for _, o := range objs {
		b.WriteByte('\n')
		b.WriteString(string(o.Kind) + " " + token(o.Name, false) + "\n")
		for _, a := range o.Attrs {
			b.WriteString("  " + token(a.Key, true) + ":")
			writeValue(&b, a.Value)
		}
	}
	return b.String()
}

// Hash returns the SHA-256 of s's canonical text, in hex.
func (s *Snapshot) Hash() string {
	sum := sha256.Sum256([]byte(s.Text()))
	return hex.EncodeToString(sum[:])
}

// plain reports whether v can be written bare on one line and read back:
// valid UTF-8, not empty, no control character but tab, no space or tab at
// either end, no leading quote.
func plain(v string) bool {
	if v == "" || !utf8.ValidString(v) || v[0] == '"' {
		return false
	}
	if strings.TrimSpace(v) != v {
		return false
	}
	for _, r := range v {
		if r != '\t' && (r < 0x20 || r == 0x7f) {
			return false
		}
	}
	return true
}

// token writes a name or key: bare when plain (and, for a key, without a
// colon), else Go-quoted.
func token(v string, key bool) string {
	if plain(v) && !(key && strings.Contains(v, ":")) && !strings.ContainsRune(v, '\t') {
		return v
	}
	return strconv.Quote(v)
}

// blockLines reports whether v, which has a newline, can be written as
// continuation lines: valid UTF-8 and no control character but tab and
// newline.
func blockLines(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r != '\t' && r != '\n' && (r < 0x20 || r == 0x7f) {
			return false
		}
	}
	return true
}

// writeValue writes the rest of an attribute after "KEY:".
func writeValue(b *strings.Builder, v string) {
	switch {
	case plain(v):
		b.WriteString(" " + v + "\n")
	case strings.Contains(v, "\n") && blockLines(v):
		b.WriteByte('\n')
		for _, line := range strings.Split(v, "\n") {
			b.WriteString(contPrefix)
			if line != "" {
				b.WriteString(" " + line)
			}
			b.WriteByte('\n')
		}
	default:
		b.WriteString(" " + strconv.Quote(v) + "\n")
	}
}

// contPrefix begins each continuation line of a multi-line value.
const contPrefix = "    |"

// ParseError is a line of a snapshot's text that Parse cannot read.
type ParseError struct {
	Line int // 1-based
	Msg  string
}

func (e *ParseError) Error() string {
	return "schema text line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Parse reads the canonical text that Text writes. Parse(s.Text()) is s
// with its objects in Normalize's order. Objects and the attributes of one
// object must be unique; a bad line returns a *ParseError with its number.
func Parse(text string) (*Snapshot, error) {
	p := parser{sc: bufio.NewScanner(strings.NewReader(text)), kinds: knownKinds()}
	p.sc.Buffer(make([]byte, 0, 64*1024), len(text)+1)
	return p.parse(text)
}

type parser struct {
	sc    *bufio.Scanner
	line  int
	kinds []Kind
	held  *string // a line read ahead
}

func (p *parser) next() (string, bool) {
	if p.held != nil {
		l := *p.held
		p.held = nil
		return l, true
	}
	if !p.sc.Scan() {
		return "", false
	}
	p.line++
	return p.sc.Text(), true
}

func (p *parser) errf(format string, args ...any) error {
	return &ParseError{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parse(text string) (*Snapshot, error) {
	if text != "" && !strings.HasSuffix(text, "\n") {
		return nil, &ParseError{Line: strings.Count(text, "\n") + 1, Msg: "the text does not end with a newline"}
	}
	if strings.Contains(text, "\r") {
		return nil, &ParseError{Line: strings.Count(text[:strings.Index(text, "\r")], "\n") + 1, Msg: "carriage return in the text (a file saved with CRLF line ends?)"}
	}
	head, ok := p.next()
	if !ok || !strings.HasPrefix(head, Header) {
		p.line = 1
		return nil, p.errf("want the header %q", Header)
	}
	s := &Snapshot{}
	if rest := strings.TrimPrefix(head, Header); rest != "" {
		d, err := p.readToken(strings.TrimPrefix(rest, " "), false)
		if err != nil || !strings.HasPrefix(rest, " ") {
			return nil, p.errf("bad dialect in the header %q", head)
		}
		s.Dialect = d
	}
	seen := map[[2]string]bool{}
	for {
		l, ok := p.next()
		if !ok {
			break
		}
		if l != "" {
			return nil, p.errf("want a blank line before the next object, got %q", l)
		}
		if l, ok = p.next(); !ok {
			return nil, p.errf("blank line at the end of the text")
		}
		o, err := p.object(l)
		if err != nil {
			return nil, err
		}
		k := [2]string{string(o.Kind), o.Name}
		if seen[k] {
			return nil, p.errf("%s %s appears twice", o.Kind, o.Name)
		}
		seen[k] = true
		if n := len(s.Objects); n > 0 && compareObjects(s.Objects[n-1], o) > 0 {
			return nil, p.errf("%s %s is out of order (objects are sorted by kind, then name)", o.Kind, o.Name)
		}
		s.Objects = append(s.Objects, o)
	}
	if err := p.sc.Err(); err != nil {
		return nil, p.errf("%v", err)
	}
	return s, nil
}

// object reads one block whose first line is head.
func (p *parser) object(head string) (Object, error) {
	var o Object
	for _, k := range p.kinds {
		if rest, ok := strings.CutPrefix(head, string(k)+" "); ok {
			o.Kind = k
			name, err := p.readToken(rest, false)
			if err != nil {
				return o, err
			}
			o.Name = name
			break
		}
	}
	if o.Kind == "" {
		return o, p.errf("want an object line \"KIND NAME\" with a known kind, got %q", head)
	}
	keys := map[string]bool{}
	for {
		l, ok := p.next()
		if !ok {
			return o, nil
		}
		if !strings.HasPrefix(l, "  ") || strings.HasPrefix(l, contPrefix) {
			if strings.HasPrefix(l, contPrefix) {
				return o, p.errf("continuation line without an attribute")
			}
			p.held = &l
			return o, nil
		}
		a, err := p.attr(strings.TrimPrefix(l, "  "))
		if err != nil {
			return o, err
		}
		if keys[a.Key] {
			return o, p.errf("attribute %q appears twice in %s %s", a.Key, o.Kind, o.Name)
		}
		keys[a.Key] = true
		o.Attrs = append(o.Attrs, a)
	}
}

// attr reads one attribute line (without its indent) and its
// continuation lines.
func (p *parser) attr(l string) (Attr, error) {
	var key, rest string
	if strings.HasPrefix(l, `"`) {
		q, err := strconv.QuotedPrefix(l)
		if err != nil {
			return Attr{}, p.errf("bad quoted attribute key: %v", err)
		}
		key, _ = strconv.Unquote(q)
		rest = l[len(q):]
		if !strings.HasPrefix(rest, ":") {
			return Attr{}, p.errf("want ':' after the attribute key")
		}
		rest = rest[1:]
	} else {
		i := strings.IndexByte(l, ':')
		if i <= 0 {
			return Attr{}, p.errf("want \"  KEY: VALUE\", got %q", l)
		}
		key, rest = l[:i], l[i+1:]
		if !plain(key) || strings.ContainsRune(key, '\t') {
			return Attr{}, p.errf("attribute key %q should be quoted", key)
		}
	}
	if rest != "" {
		if !strings.HasPrefix(rest, " ") {
			return Attr{}, p.errf("want a space after \"%s:\"", key)
		}
		v := rest[1:]
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			if err != nil {
				return Attr{}, p.errf("bad quoted value of %q: %v", key, err)
			}
			return Attr{Key: key, Value: u}, nil
		}
		if !plain(v) {
			return Attr{}, p.errf("value of %q should be quoted", key)
		}
		return Attr{Key: key, Value: v}, nil
	}
	var lines []string
	for {
		c, ok := p.next()
		if !ok {
			break
		}
		after, isCont := strings.CutPrefix(c, contPrefix)
		if !isCont {
			p.held = &c
			break
		}
		if after != "" && !strings.HasPrefix(after, " ") {
			return Attr{}, p.errf("want a space after %q", strings.TrimSpace(contPrefix))
		}
		lines = append(lines, strings.TrimPrefix(after, " "))
	}
	if v := strings.Join(lines, "\n"); !blockLines(v) {
		return Attr{}, p.errf("value of %q has a control character: it should be quoted", key)
	}
	if len(lines) < 2 {
		return Attr{}, p.errf("attribute %q has no value (a value of several lines has at least two %q lines)", key, strings.TrimSpace(contPrefix))
	}
	return Attr{Key: key, Value: strings.Join(lines, "\n")}, nil
}

// readToken reads a name: bare, or Go-quoted when it begins with a quote.
func (p *parser) readToken(v string, key bool) (string, error) {
	if strings.HasPrefix(v, `"`) {
		u, err := strconv.Unquote(v)
		if err != nil {
			return "", p.errf("bad quoted name %s: %v", v, err)
		}
		return u, nil
	}
	if !plain(v) || strings.ContainsRune(v, '\t') || (key && strings.Contains(v, ":")) {
		return "", p.errf("name %q should be quoted", v)
	}
	return v, nil
}
