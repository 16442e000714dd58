package strata

import (
	"errors"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

// counted yields n statements, the i-th of size sizes(i), then err (when
// not nil), counting in read how many it has produced.
func counted(n int, sizes func(int) int, err error, read *atomic.Int64) iter.Seq2[sqlsplit.Statement, error] {
	return func(yield func(sqlsplit.Statement, error) bool) {
		for i := range n {
			text := strings.Repeat("x", sizes(i))
			read.Add(1)
			if !yield(sqlsplit.Statement{Text: text, Raw: text, Line: i + 1}, nil) {
				return
			}
		}
		if err != nil {
			yield(sqlsplit.Statement{}, err)
		}
	}
}

// TestBatches: statements are grouped in order, no batch exceeds the
// budget unless it is one statement, an error ends the batches after the
// statements before it, and (the memory bound, checked without sampling
// the heap) the reader is never more than one batch and one statement
// ahead of the caller: when the caller holds batch k, no statement past
// the end of batch k+1 plus the one that did not fit in it was read.
func TestBatches(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	const budget = 100
	for _, tc := range []struct {
		name   string
		n      int
		sizes  func(int) int
		err    error
		sizesW []int // statements per batch
	}{
		{name: "even", n: 10, sizes: func(int) int { return 30 }, sizesW: []int{3, 3, 3, 1}},
		{name: "big alone", n: 5, sizes: func(i int) int { return []int{10, 500, 10, 10, 300}[i] }, sizesW: []int{1, 1, 2, 1}},
		{name: "error", n: 4, sizes: func(int) int { return 40 }, err: boom, sizesW: []int{2, 2}},
		{name: "empty", n: 0, sizes: func(int) int { return 1 }, sizesW: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var read atomic.Int64
			var got []int
			var gotErr error
			seen := 0 // statements in the batches handed over so far
			for bt := range batches(counted(tc.n, tc.sizes, tc.err, &read), func(int) int { return budget }) {
				if bt.err != nil {
					gotErr = bt.err
					continue
				}
				size := 0
				for i, s := range bt.stmts {
					if s.Line != seen+i+1 {
						t.Fatalf("batch %d: statement %d is line %d, want %d", len(got), i, s.Line, seen+i+1)
					}
					size += len(s.Text)
				}
				if len(bt.stmts) > 1 && size > budget {
					t.Errorf("batch %d: %d bytes in %d statements, over the budget of %d", len(got), size, len(bt.stmts), budget)
				}
				seen += len(bt.stmts)
				got = append(got, len(bt.stmts))
				// The reader may have gathered the next batch and read
				// the statement that did not fit in it, no more.
				if ahead := int(read.Load()) - seen; ahead > slices.Max(append([]int{0}, tc.sizesW...))+1 {
					t.Errorf("after batch %d the reader is %d statements ahead", len(got), ahead)
				}
			}
			if !errors.Is(gotErr, tc.err) {
				t.Errorf("error = %v, want %v", gotErr, tc.err)
			}
			if !slices.Equal(got, tc.sizesW) {
				t.Errorf("batches of %v statements, want %v", got, tc.sizesW)
			}
		})
	}
}

// TestBatchesStopEarly: a caller that stops after the first batch does
// not leave the reader running.
func TestBatchesStopEarly(t *testing.T) {
	t.Parallel()
	var read atomic.Int64
	for range batches(counted(1000, func(int) int { return 60 }, nil, &read), func(int) int { return 100 }) {
		break
	}
	// batches returned: the reader ended. It read the first batch (1),
	// the next (1) and at most one more.
	if n := read.Load(); n > 3 {
		t.Errorf("read %d statements after the caller stopped at the first batch", n)
	}
}
