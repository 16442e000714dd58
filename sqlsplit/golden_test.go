package sqlsplit

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the scanner's output")

// goldenDialects maps each testdata folder to its dialect, its backslash
// rule, and the session statement that makes the server read strings
// that way (for TestGoldenOnServers).
var goldenDialects = []struct {
	dir     string
	d       Dialect
	bs      Backslash
	session string
}{
	{"postgres", Postgres, BackslashDefault, ""},
	{"mysql", MySQL, BackslashDefault, ""},
	{"sqlite", SQLite, BackslashDefault, ""},
	{"postgres-backslash", Postgres, BackslashEscapes, "SET standard_conforming_strings = off"},
	{"mysql-nobackslash", MySQL, BackslashLiteral, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"},
}

// goldenInput is one testdata/<dialect>/<case>.sql file.
type goldenInput struct {
	name    string // dialect/case
	path    string // the .sql file
	dir     string // the testdata folder
	d       Dialect
	bs      Backslash
	session string // run first on the server
	src     []byte
	exec    bool // the first line is "-- exec": every statement must run on the server
}

func goldenInputs(t testing.TB) []goldenInput {
	t.Helper()
	var out []goldenInput
	for _, gd := range goldenDialects {
		paths, err := filepath.Glob(filepath.Join("testdata", gd.dir, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, goldenInput{
				name: gd.dir + "/" + strings.TrimSuffix(filepath.Base(p), ".sql"),
				path: p, dir: gd.dir, d: gd.d, bs: gd.bs, session: gd.session, src: src,
				exec: bytes.HasPrefix(src, []byte("-- exec\n")) || bytes.HasPrefix(src, []byte("-- exec\r\n")),
			})
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden inputs found in testdata")
	}
	return out
}

// scanAll scans r to the end and returns the statements, the trailing
// bytes and the error (nil at a clean io.EOF).
func scanAll(r io.Reader, opts Options) ([]Statement, string, error) {
	s := NewScanner(r, opts)
	var sts []Statement
	for {
		st, err := s.Next()
		if err == io.EOF {
			return sts, s.Trailing(), nil
		}
		if err != nil {
			return sts, "", err
		}
		sts = append(sts, st)
	}
}

// render writes the scanner's output in the golden format: a header per
// statement with its position, its leading comments, then its Text;
// finally the trailing bytes or the error.
func render(sts []Statement, trailing string, err error) string {
	var b strings.Builder
	for i, st := range sts {
		fmt.Fprintf(&b, "-- statement %d at %d:%d, ends on line %d, offset %d\n", i+1, st.Line, st.Col, st.EndLine, st.Offset)
		for _, c := range st.Comments {
			fmt.Fprintf(&b, "-- comment %q\n", c)
		}
		b.WriteString(st.Text)
		b.WriteString("\n")
	}
	if err != nil {
		fmt.Fprintf(&b, "-- error: %v\n", err)
	} else {
		fmt.Fprintf(&b, "-- trailing %q\n", trailing)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, in := range goldenInputs(t) {
		t.Run(in.name, func(t *testing.T) {
			sts, trailing, err := scanAll(bytes.NewReader(in.src), Options{Dialect: in.d, Backslash: in.bs})
			var serr *Error
			if err != nil && !errors.As(err, &serr) {
				t.Fatalf("error is %T, want *Error: %v", err, err)
			}
			checkInvariants(t, in.src, sts, trailing, err)
			if in.exec && err != nil {
				t.Errorf("input marked -- exec must scan without error: %v", err)
			}
			got := render(sts, trailing, err)
			golden := strings.TrimSuffix(in.path, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatalf("%v (run go test ./sqlsplit -run TestGolden -update to create it)", rerr)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (rerun with -update and review the diff)\n--- got:\n%s\n--- want:\n%s", golden, got, want)
			}
		})
	}
}

// checkInvariants asserts what holds for every input: Raw and Trailing
// rebuild the input byte for byte, Text is the trimmed, non-empty
// substring of Raw at TextStart, and Line, Col, EndLine and Offset point
// at Text in the input.
func checkInvariants(t testing.TB, src []byte, sts []Statement, trailing string, err error) {
	t.Helper()
	var off int64
	prevLine := 0
	for i, st := range sts {
		if st.Text == "" {
			t.Fatalf("statement %d: empty Text", i+1)
		}
		if st.TextStart < 0 || st.TextStart+len(st.Text) > len(st.Raw) || st.Raw[st.TextStart:st.TextStart+len(st.Text)] != st.Text {
			t.Fatalf("statement %d: Text %q is not Raw[%d:] of %q", i+1, st.Text, st.TextStart, st.Raw)
		}
		if isSpace(st.Text[0]) || isSpace(st.Text[len(st.Text)-1]) {
			t.Fatalf("statement %d: Text %q is not trimmed", i+1, st.Text)
		}
		if st.Offset != off+int64(st.TextStart) {
			t.Fatalf("statement %d: Offset %d, want %d", i+1, st.Offset, off+int64(st.TextStart))
		}
		if int(off)+len(st.Raw) > len(src) || string(src[off:int(off)+len(st.Raw)]) != st.Raw {
			t.Fatalf("statement %d: Raw %q is not the input at offset %d", i+1, st.Raw, off)
		}
		line, col := position(src, int(st.Offset))
		if st.Line != line || st.Col != col {
			t.Fatalf("statement %d: at %d:%d, want %d:%d", i+1, st.Line, st.Col, line, col)
		}
		if endLine, _ := position(src, int(st.Offset)+len(st.Text)-1); st.EndLine != endLine {
			t.Fatalf("statement %d: EndLine %d, want %d", i+1, st.EndLine, endLine)
		}
		if st.Line < prevLine || st.EndLine < st.Line {
			t.Fatalf("statement %d: lines go backwards: %d..%d after %d", i+1, st.Line, st.EndLine, prevLine)
		}
		prevLine = st.EndLine
		off += int64(len(st.Raw))
	}
	if err == nil && string(src[off:]) != trailing {
		t.Fatalf("Trailing %q, want the rest of the input %q", trailing, src[off:])
	}
}

// position returns the 1-based line and byte column of src[off].
func position(src []byte, off int) (line, col int) {
	line = 1 + bytes.Count(src[:off], []byte{'\n'})
	return line, off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
}
