package history

import (
	"context"
	"fmt"

	"github.com/strata-db/strata/dialect"
)

// EnsurePhase adds the phase column to a history table an earlier release
// created without it. It is idempotent: a table that has the column is
// left alone. Callers run it under the migration lock, as Ensure does.
// Rows written before the column existed read as "" (no phase recorded).
func (s *Store) EnsurePhase(ctx context.Context, q dialect.Execer) error {
	has, err := s.hasPhase(ctx, q)
	if err != nil {
		return err
	}
	if has {
		return nil
	}
	return s.addPhase(ctx, q)
}

// addPhase adds the phase column; a column already there (another release
// of the DDL made it) is no error. The same statement works on every
// supported database; the column is nullable so that earlier releases,
// which do not write it, still insert rows.
func (s *Store) addPhase(ctx context.Context, q dialect.Execer) error {
	if _, err := q.ExecContext(ctx, "ALTER TABLE "+s.q+" ADD COLUMN phase varchar(16)"); err != nil {
		if has, perr := s.hasPhase(ctx, q); perr == nil && has {
			return nil
		}
		return fmt.Errorf("add the phase column to history table %s: %w", s.table, err)
	}
	return nil
}

// hasPhase reports whether the history table has the phase column, by
// selecting it from no rows: a failure that is not about the column
// itself (the connection, the table) is returned as an error.
func (s *Store) hasPhase(ctx context.Context, q dialect.Execer) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT phase FROM "+s.q+" WHERE 1 = 0")
	if err == nil {
		rows.Close()
		return true, nil
	}
	if ctx.Err() != nil || s.d.MissingTable(err) {
		return false, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	// The table answers other queries, so the column is what is missing.
	rows, err = q.QueryContext(ctx, "SELECT 1 FROM "+s.q+" WHERE 1 = 0")
	if err != nil {
		return false, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	rows.Close()
	return false, nil
}
