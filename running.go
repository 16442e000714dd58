package strata

import (
	"context"
	"database/sql"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
)

// readStatus reads the history on c without the lock and compares it with
// the folder, telling running rows of live runs from dead ones.
//
// A running row read just before its run finished the file and let go of
// the lock would look dead once the lock is found free: when a running
// row is judged dead, the history is read again, and the judgement is
// kept only when that row has not moved meanwhile (seen behind a pooler
// with one server connection, where every query queues).
func (m *Migrator) readStatus(ctx context.Context, c *sql.Conn) (*Status, []history.Record, error) {
	for attempt := 0; ; attempt++ {
		recs, err := m.store.All(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		st := m.status(recs)
		if err := m.settleRunning(ctx, c, st, false); err != nil {
			return nil, nil, err
		}
		if attempt == 2 || !deadRunning(recs, st) {
			return st, recs, nil
		}
		again, err := m.store.All(ctx, c)
		if err != nil {
			return nil, nil, err
		}
		if sameRunning(recs, again) {
			return st, recs, nil
		}
	}
}

// deadRunning reports whether settleRunning judged a running row dead.
func deadRunning(recs []history.Record, st *Status) bool {
	running := false
	for i := range recs {
		running = running || recs[i].Status == history.Running
	}
	if !running {
		return false
	}
	for i := range st.Migrations {
		if st.Migrations[i].State == StateInterrupted {
			return true
		}
	}
	return false
}

// sameRunning reports whether the running rows of a are unchanged in b.
func sameRunning(a, b []history.Record) bool {
	byID := make(map[string]history.Record, len(b))
	for _, r := range b {
		byID[r.ID] = r
	}
	for _, r := range a {
		if r.Status != history.Running {
			continue
		}
		o, ok := byID[r.ID]
		if !ok || o.Status != r.Status || o.StatementsApplied != r.StatementsApplied {
			return false
		}
	}
	return true
}

// settleRunning decides, for every row that says running, whether a live
// run holds the lock (running) or the run died (interrupted). locked is true
// when the caller holds the lock itself, so every running row is from a
// dead run. It also finds the lines of the statements around the point
// where incomplete files stopped.
func (m *Migrator) settleRunning(ctx context.Context, c *sql.Conn, st *Status, locked bool) error {
	checked, live, executing := false, false, ""
	for i := range st.Migrations {
		ms := &st.Migrations[i]
		switch ms.State {
		case StateRunning:
			if !checked {
				// A run is live while either lock mode's lock is held or
				// its statement still executes (fence.go); under the
				// lock only the latter can be.
				var err error
				if locked {
					executing, err = m.executing(ctx, c)
				} else {
					live, executing, err = m.liveRun(ctx, c)
				}
				if err != nil {
					return err
				}
				checked = true
			}
			if locked && executing != "" {
				wm, _ := m.d.(dialect.WorkMarker)
				_, kill, _ := wm.Executing(ctx, c, m.cfg.table)
				return &StillExecutingError{Version: ms.ID, File: ms.File, Conn: executing, Kill: kill}
			}
			if locked || !live {
				ms.State = StateInterrupted
			} else {
				ms.Executing = executing
			}
		case StatePartial, StateFailed:
		default:
			continue
		}
		if ms.Migration != nil {
			// A row left by a down file counts the down file's statements.
			path := ms.Migration.Path
			if downRow(*ms) {
				path = ms.Migration.DownPath
			}
			var next string
			ms.LastLine, ms.NextLine, next = m.statementLines(path, ms.StatementsApplied)
			if ms.State == StateInterrupted && next != "" {
				// Unless it was sent with its own progress update, the
				// statement in flight may have completed after the run
				// died, without being recorded.
				it, ok := m.d.(dialect.ImplicitTx)
				ms.NextMayHaveRun = !ok || !it.Together(next)
			}
		}
	}
	return nil
}

// statementLines returns the lines of statements n and n+1 of the file at
// path, and the text of statement n+1.
func (m *Migrator) statementLines(path string, n int) (last, next int, text string) {
	i := 0
	for stmt, err := range m.statements(path, nil, limit{}) {
		if err != nil {
			break
		}
		i++
		if i == n {
			last = stmt.Line
		}
		if i == n+1 {
			next, text = stmt.Line, stmt.Text
			break
		}
	}
	return last, next, text
}
