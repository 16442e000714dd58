package strata

import (
	"iter"

	"github.com/strata-db/strata/sqlsplit"
)

// Files at least readAheadMin bytes long are read and split one statement
// ahead, in a goroutine, while the server runs the current statement: on a
// data migration of many large INSERTs the scanning and hashing then
// overlap with the server's work instead of adding to it.
const readAheadMin = 1 << 20

// After handing over a statement of at least bigStatement bytes, the
// reader waits until it was sent before reading on, so memory stays
// bounded by a few statements whatever their size.
const bigStatement = 4 << 20

// readAhead yields what seq yields, producing each element in a goroutine
// one element ahead of the consumer. When the consumer stops early it
// waits for the goroutine to end (and seq to close its file) before
// returning.
func readAhead(seq iter.Seq2[sqlsplit.Statement, error]) iter.Seq2[sqlsplit.Statement, error] {
	type item struct {
		stmt sqlsplit.Statement
		err  error
	}
	return func(yield func(sqlsplit.Statement, error) bool) {
		ch := make(chan item, 1)
		sent := make(chan struct{}, 1) // a big statement was sent
		stop := make(chan struct{})    // the consumer stopped early
		done := make(chan struct{})    // the reader ended
		go func() {
			defer close(done)
			defer close(ch)
			for stmt, err := range seq {
				select {
				case ch <- item{stmt, err}:
				case <-stop:
					return
				}
				if len(stmt.Raw) >= bigStatement {
					select {
					case <-sent:
					case <-stop:
						return
					}
				}
			}
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for it := range ch {
			if !yield(it.stmt, it.err) {
				return
			}
			if len(it.stmt.Raw) >= bigStatement {
				sent <- struct{}{}
			}
		}
	}
}
