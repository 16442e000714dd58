package history

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// batchRows is how many rows one multi-row INSERT of InsertMany and
// AddAuditMany carries: at about 16 parameters a row it stays far below every
// server's limit on parameters (SQLite's 32,766, PostgreSQL's and MySQL's
// 65,535).
const batchRows = 100

// InsertMany writes rows as Insert would one by one, batchRows rows
// to a statement, for callers that record many rows at once (an import
// of another tool's history): one round trip per batch instead of per
// row.
func (s *Store) InsertMany(ctx context.Context, q dialect.Execer, recs []Record) error {
	for start := 0; start < len(recs); start += batchRows {
		part := recs[start:min(start+batchRows, len(recs))]
		var args []any
		cols := 0
		for _, r := range part {
			a := s.InsertQuery(r).Args
			cols = len(a)
			args = append(args, a...)
		}
		text := "INSERT INTO " + s.q + " (" + columns + ") VALUES " + s.valueLists(len(part), cols)
		if _, err := q.ExecContext(ctx, text, args...); err != nil {
			return fmt.Errorf("record %s..%s in history table %s: %w", part[0].ID, part[len(part)-1].ID, s.table, err)
		}
	}
	return nil
}

// AddAuditMany writes audit entries as AddAudit does, batchRows to a
// statement.
func (s *Store) AddAuditMany(ctx context.Context, q dialect.Execer, entries []AuditEntry) error {
	t := s.AuditTable()
	for start := 0; start < len(entries); start += batchRows {
		part := entries[start:min(start+batchRows, len(entries))]
		args := make([]any, 0, 11*len(part))
		for _, e := range part {
			if e.At.IsZero() {
				e.At = time.Now()
			}
			args = append(args, e.MigrationID, string(e.Action), e.OldState, e.NewState, e.OldChecksum, e.NewChecksum, e.Reason, e.By,
				s.timeArg(e.At), nullString(e.Detail), e.StrataVersion)
		}
		text := "INSERT INTO " + s.d.QuoteTable(t) + " (" + auditColumns + ") VALUES " + s.valueLists(len(part), 11)
		if _, err := q.ExecContext(ctx, text, args...); err != nil {
			return fmt.Errorf("record %s of %s..%s in audit table %s: %w", part[0].Action, part[0].MigrationID, part[len(part)-1].MigrationID, t, err)
		}
	}
	return nil
}

// valueLists returns rows parenthesised lists of cols placeholders,
// numbered on from 1.
func (s *Store) valueLists(rows, cols int) string {
	var b strings.Builder
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s.d.Placeholder(n))
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}
