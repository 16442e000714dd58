package sqlsplit

import (
	"io"
	"strings"
	"testing"
)

// TestBackslashRule: where a string with a backslash ends depends on the
// rule, per dialect, and SetBackslash changes it for the statements after
// the one Next returned (a file's own SET sql_mode).
func TestBackslashRule(t *testing.T) {
	const src = "SELECT 'C:\\'; DROP TABLE victim; -- '\nSELECT 1;"
	cases := []struct {
		d    Dialect
		bs   Backslash
		want int // statements
	}{
		{MySQL, BackslashDefault, 1},
		{MySQL, BackslashEscapes, 1},
		{MySQL, BackslashLiteral, 3},
		{Postgres, BackslashDefault, 3},
		{Postgres, BackslashLiteral, 3},
		{Postgres, BackslashEscapes, 1},
		{SQLite, BackslashDefault, 3},
		{SQLite, BackslashEscapes, 3}, // SQLite has no backslash escapes
	}
	for _, c := range cases {
		sts, err := Split(src, Options{Dialect: c.d, Backslash: c.bs})
		if err != nil {
			t.Errorf("%v, %v: %v", c.d, c.bs, err)
			continue
		}
		if len(sts) != c.want {
			t.Errorf("%v, %v: %d statements, want %d: %+v", c.d, c.bs, len(sts), c.want, sts)
		}
	}

	// Switching after the first statement splits the rest the new way.
	s := NewScanner(strings.NewReader("SET sql_mode = 'NO_BACKSLASH_ESCAPES';\n"+src), Options{Dialect: MySQL})
	first, err := s.Next()
	if err != nil || !strings.HasPrefix(first.Text, "SET sql_mode") {
		t.Fatalf("first statement %q, %v", first.Text, err)
	}
	s.SetBackslash(BackslashLiteral)
	var texts []string
	for {
		st, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, st.Text)
	}
	if len(texts) != 3 || texts[1] != "DROP TABLE victim" {
		t.Fatalf("after SetBackslash: %q", texts)
	}
}
