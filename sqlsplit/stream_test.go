package sqlsplit

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func TestOneByteReaderMatchesSplit(t *testing.T) {
	for _, in := range goldenInputs(t) {
		t.Run(in.name, func(t *testing.T) {
			opts := Options{Dialect: in.d, Backslash: in.bs}
			want, werr := Split(string(in.src), opts)
			got, _, gerr := scanAll(iotest.OneByteReader(bytes.NewReader(in.src)), opts)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gerr, werr) {
				t.Fatalf("one byte at a time:\n%s\nSplit:\n%s", render(got, "", gerr), render(want, "", werr))
			}
		})
	}
}

// repeatReader yields pattern over and over until n bytes were produced,
// so that a huge input never exists in memory at once.
type repeatReader struct {
	pattern []byte
	off     int
	n       int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	total := 0
	for len(p) > 0 {
		k := copy(p, r.pattern[r.off:])
		r.off = (r.off + k) % len(r.pattern)
		p = p[k:]
		total += k
	}
	r.n -= int64(total)
	return total, nil
}

func TestBoundedMemory(t *testing.T) {
	cases := []struct {
		d       Dialect
		size    int64
		pattern string
	}{
		{Postgres, 100 << 20, pgBenchInput(1)},
		{MySQL, 30 << 20, mysqlBenchInput(1)},
	}
	if testing.Short() {
		for i := range cases {
			cases[i].size /= 10
		}
	}
	for _, c := range cases {
		t.Run(c.d.String(), func(t *testing.T) {
			perPattern, err := Split(c.pattern, Options{Dialect: c.d})
			if err != nil {
				t.Fatal(err)
			}
			// the pattern ends with a newline after its last delimiter, so repeats split cleanly
			c.size -= c.size % int64(len(c.pattern)) // whole patterns only: no statement is cut
			// Live heap only: collect before every sample, so that garbage
			// the collector has not reached yet (and its pacing) cannot
			// make the number flicker. What is left is what the scanner
			// retains.
			live := func() uint64 {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			base := live()
			var peak uint64
			nextSample := int64(4 << 20)
			s := NewScanner(&repeatReader{pattern: []byte(c.pattern), n: c.size}, Options{Dialect: c.d})
			n := 0
			var bytesSeen int64
			for {
				st, err := s.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				bytesSeen += int64(len(st.Raw))
				n++
				if bytesSeen >= nextSample { // every 4 MiB of input
					nextSample += 4 << 20
					peak = max(peak, live())
				}
			}
			bytesSeen += int64(len(s.Trailing()))
			if bytesSeen != c.size {
				t.Fatalf("Raw and Trailing hold %d bytes, the input had %d", bytesSeen, c.size)
			}
			reps := int(c.size / int64(len(c.pattern)))
			if want := reps * len(perPattern); n < want || n > want+len(perPattern) {
				t.Fatalf("%d statements, want about %d", n, want)
			}
			grown := int64(peak) - int64(base)
			t.Logf("live heap grew by %d bytes over %d bytes of input", grown, c.size)
			if grown > 2<<20 {
				t.Fatalf("the live heap grew by %d bytes while scanning %d bytes: the scanner is not streaming", grown, c.size)
			}
		})
	}
}

func TestLargeStatementThenSmallOnes(t *testing.T) {
	big := "INSERT INTO t VALUES ('" + strings.Repeat("x;", 3<<20) + "');\n"
	src := big + strings.Repeat("SELECT 1;\n", 10)
	s := NewScanner(strings.NewReader(src), Options{Dialect: Postgres})
	st, err := s.Next()
	if err != nil || len(st.Raw) != len(big)-1 { // the newline goes to the next statement
		t.Fatalf("first statement: %d bytes, %v; want %d bytes", len(st.Raw), err, len(big)-1)
	}
	for range 10 {
		if st, err = s.Next(); err != nil || st.Text != "SELECT 1" {
			t.Fatalf("got %q, %v", st.Text, err)
		}
	}
	if c := cap(s.mem); c > shrinkAbove {
		t.Fatalf("buffer kept %d bytes after the large statement", c)
	}
	if _, err := s.Next(); err != io.EOF {
		t.Fatalf("want io.EOF, got %v", err)
	}
}

func TestReadErrorIsWrappedAndSticky(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("SELECT 1; SELECT 'unfinished"), iotest.ErrReader(boom))
	s := NewScanner(r, Options{Dialect: Postgres})
	if st, err := s.Next(); err != nil || st.Text != "SELECT 1" {
		t.Fatalf("first statement: %q, %v", st.Text, err)
	}
	for range 2 {
		_, err := s.Next()
		if !errors.Is(err, boom) {
			t.Fatalf("want the read error wrapped, got %v", err)
		}
		var serr *Error
		if errors.As(err, &serr) {
			t.Fatalf("a read error must not look like a syntax error: %v", err)
		}
	}
}

func TestErrorsAreSticky(t *testing.T) {
	s := NewScanner(strings.NewReader("SELECT 'x; SELECT 2;"), Options{Dialect: SQLite})
	_, err1 := s.Next()
	_, err2 := s.Next()
	var serr *Error
	if !errors.As(err1, &serr) || err1 != err2 {
		t.Fatalf("want the same *Error twice, got %v then %v", err1, err2)
	}
	if serr.Line != 1 || serr.Col != 8 {
		t.Fatalf("error at %d:%d, want 1:8", serr.Line, serr.Col)
	}
}

func TestEOFRepeatsAndUnknownDialect(t *testing.T) {
	s := NewScanner(strings.NewReader("SELECT 1"), Options{Dialect: MySQL})
	if st, err := s.Next(); err != nil || st.Text != "SELECT 1" {
		t.Fatalf("got %q, %v", st.Text, err)
	}
	for range 2 {
		if _, err := s.Next(); err != io.EOF {
			t.Fatalf("want io.EOF, got %v", err)
		}
	}
	if _, err := Split("SELECT 1", Options{}); err == nil || !strings.Contains(err.Error(), "Options.Dialect") {
		t.Fatalf("want an error naming Options.Dialect, got %v", err)
	}
}

func TestMaxStatementBytes(t *testing.T) {
	tests := []struct {
		name, src string
		max       int
		want      int // statements before the error, -1 for no error
	}{
		{"fits", "SELECT 1; SELECT 22;", 9, -1},
		{"second too big", "SELECT 1;\nSELECT 123456789;", 9, 1},
		{"huge body", "SELECT 1;\nSELECT '" + strings.Repeat("a", 200000) + "';", 1000, 1},
		{"comments do not count", "-- " + strings.Repeat("c", 5000) + "\nSELECT 1;", 8, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sts, err := Split(tt.src, Options{Dialect: Postgres, MaxStatementBytes: tt.max})
			if tt.want < 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var serr *Error
			if !errors.As(err, &serr) || !strings.Contains(serr.Msg, "MaxStatementBytes") || serr.Line != 2 || serr.Col != 1 {
				t.Fatalf("want an *Error at 2:1 naming MaxStatementBytes, got %v", err)
			}
			if len(sts) != tt.want {
				t.Fatalf("%d statements before the error, want %d", len(sts), tt.want)
			}
		})
	}
}

func TestAllocationsPerStatement(t *testing.T) {
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		src := strings.Repeat("INSERT INTO t (a, b) VALUES (1, 'x;y'), (2, \"z\");\n", 2000)
		allocs := testing.AllocsPerRun(5, func() {
			s := NewScanner(strings.NewReader(src), Options{Dialect: d})
			for {
				if _, err := s.Next(); err != nil {
					break
				}
			}
		})
		// one string per statement (Raw, which Text slices), plus the
		// scanner's own fixed setup
		if per := allocs / 2000; per > 1.05 {
			t.Errorf("%v: %.2f allocations per statement, want about 1", d, per)
		}
	}
}
