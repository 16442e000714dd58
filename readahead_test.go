package strata

import (
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

// statementsOf yields n statements, the i-th of size sizes(i), then err
// (when not nil), recording when it ended.
func statementsOf(n int, sizes func(int) int, err error, ended *bool) iter.Seq2[sqlsplit.Statement, error] {
	return func(yield func(sqlsplit.Statement, error) bool) {
		defer func() { *ended = true }()
		for i := range n {
			raw := strings.Repeat("x", sizes(i))
			if !yield(sqlsplit.Statement{Text: raw, Raw: raw, Line: i + 1}, nil) {
				return
			}
		}
		if err != nil {
			yield(sqlsplit.Statement{}, err)
		}
	}
}

func TestReadAhead(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	small := func(int) int { return 10 }
	mixed := func(i int) int {
		if i%2 == 0 {
			return bigStatement
		}
		return 10
	}
	for _, tc := range []struct {
		name   string
		n      int
		sizes  func(int) int
		err    error
		stopAt int // stop consuming after this many (0: consume all)
	}{
		{"all, in order", 50, small, nil, 0},
		{"error at the end", 5, small, boom, 0},
		{"big statements wait", 6, mixed, nil, 0},
		{"consumer stops early", 50, small, nil, 3},
		{"consumer stops on a big statement", 6, mixed, nil, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ended bool
			var lines []int
			var gotErr error
			for stmt, err := range readAhead(statementsOf(tc.n, tc.sizes, tc.err, &ended)) {
				if err != nil {
					gotErr = err
					break
				}
				lines = append(lines, stmt.Line)
				if len(stmt.Raw) != tc.sizes(stmt.Line-1) {
					t.Fatalf("statement %d has %d bytes", stmt.Line, len(stmt.Raw))
				}
				if tc.stopAt > 0 && len(lines) == tc.stopAt {
					break
				}
			}
			if !ended {
				t.Error("the reader was still running when the loop ended")
			}
			want := tc.n
			if tc.stopAt > 0 {
				want = tc.stopAt
			}
			if len(lines) != want {
				t.Fatalf("got %d statements, want %d", len(lines), want)
			}
			for i, l := range lines {
				if l != i+1 {
					t.Fatalf("statement %d came as number %d", l, i+1)
				}
			}
			if !errors.Is(gotErr, tc.err) {
				t.Errorf("error %v, want %v", gotErr, tc.err)
			}
		})
	}
}
