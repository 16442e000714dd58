// Package history reads and writes strata's history table: one row per
// migration with its checksum, status, progress, timing and who applied it.
// It builds its SQL from the dialect's quoting and placeholders and never
// decides what to run; the strata package does that.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Layout is the version of the history table's layout that this release
// writes. It is stored in the table itself (the row with ID LayoutID) so a
// later release can upgrade the table in place.
const Layout = 1

// LayoutID is the ID of the row that records the table's layout version.
const LayoutID = "~layout"

// Status is the state of one history row.
type Status string

// The statuses a history row can have.
const (
	Applied Status = "applied" // the file ran to the end
	Running Status = "running" // a non-transactional file is running (or its run died)
	Failed  Status = "failed"  // a non-transactional file failed before any statement completed
	Partial Status = "partial" // a non-transactional file failed after some statements completed
)

// Kind is what a history row records.
type Kind string

// The kinds of history rows.
const (
	KindVersioned  Kind = "versioned"
	KindRepeatable Kind = "repeatable"
	KindBaseline   Kind = "baseline"
	KindLayout     Kind = "layout"
)

// Record is one row of the history table.
type Record struct {
	ID                 string // canonical version, or "R__description" for repeatables
	Version            string // canonical version ("" for repeatables)
	Name               string // the migration's description
	Kind               Kind
	File               string
	Checksum           string
	Status             Status
	StatementsApplied  int
	StatementsTotal    int
	StatementChecksums string // comma-separated short hashes of the applied statements (non-transactional files)
	StartedAt          time.Time
	FinishedAt         sql.NullTime
	ExecutionMS        int64
	AppliedBy          string
	Error              string
	StrataVersion      string
	// Phase is the file's phase when it ran (pre-deploy or post-deploy);
	// "" for rows written before strata recorded phases and for rows that
	// are not files.
	Phase string
}

// Store reads and writes one history table through a dialect.
type Store struct {
	d     dialect.Dialect
	table dialect.Table
	q     string // quoted table name
	sel   string // columns as All selects them
	sel0  string // sel for a table without the phase column (see EnsurePhase)
	rows  int    // how many rows All expects (ExpectRows)
	fence string // a SQL condition every UPDATE must also meet (Fenced)
}

// ErrFenced is returned by a write that the lock's fence refused: the run
// no longer holds the migration lock, so it must not touch the history.
var ErrFenced = errors.New("the history write was refused: this run no longer holds the migration lock")

// Fenced returns a copy of s whose updates (Advance, Restart, Finish) only
// change a row while cond, a SQL boolean expression without parameters
// (dialect.Fenced), is true, and fail with ErrFenced when it is not. An
// empty cond returns s.
func (s *Store) Fenced(cond string) *Store {
	if cond == "" {
		return s
	}
	c := *s
	c.fence = cond
	return &c
}

// FencedRunning is Fenced, and the row must also still say running: for
// writes that record a run's outcome from a connection other than the
// one that held the lock, where another run may have settled the row
// between the loss of the lock and the write.
func (s *Store) FencedRunning(cond string) *Store {
	running := "status = '" + string(Running) + "'"
	if cond == "" {
		return s.Fenced(running)
	}
	return s.Fenced(running + " AND (" + cond + ")")
}

// where is the end of an update's WHERE clause: the row, and the fence.
func (s *Store) where(idParam string) string {
	if s.fence == "" {
		return " WHERE id = " + idParam
	}
	return " WHERE id = " + idParam + " AND (" + s.fence + ")"
}

// fenced turns an update that changed no row into ErrFenced when s has a
// fence (the updates strata makes always change the row they find).
func (s *Store) fenced(res sql.Result, err error) error {
	if err != nil || s.fence == "" {
		return err
	}
	if n, rerr := res.RowsAffected(); rerr == nil && n == 0 {
		return ErrFenced
	}
	return nil
}

// ExpectRows tells the store about how many rows the table has, such as
// the number of migration files, so All sizes its result once instead of
// growing it row by row. A wrong guess only costs memory or time.
func (s *Store) ExpectRows(n int) { s.rows = max(n, 0) }

// New returns a Store for table t.
func New(d dialect.Dialect, t dialect.Table) *Store {
	sel := selectList(d, columns, "started_at", "finished_at")
	sel = strings.TrimSuffix(sel, "phase")
	return &Store{d: d, table: t, q: d.QuoteTable(t), sel: sel + "COALESCE(phase, '')", sel0: sel + "''"}
}

// Qualify puts the store's table in schema, when it names none. It must
// be called before the store is used concurrently.
func (s *Store) Qualify(schema string) {
	if s.table.Schema != "" || schema == "" {
		return
	}
	s.table.Schema = schema
	s.q = s.d.QuoteTable(s.table)
}

// Table returns the table this store works on.
func (s *Store) Table() dialect.Table { return s.table }

const columns = "id, version, name, kind, file, checksum, status, statements_applied, statements_total, " +
	"statement_checksums, started_at, finished_at, execution_ms, applied_by, error, strata_version, phase"

// Exists reports whether the history table exists.
func (s *Store) Exists(ctx context.Context, q dialect.Execer) (bool, error) {
	ok, err := s.d.TableExists(ctx, q, s.table)
	if err != nil {
		return false, fmt.Errorf("check history table %s: %w", s.table, err)
	}
	return ok, nil
}

// Ensure creates the history table if it does not exist and records its
// layout version. It is idempotent; callers run it under the migration
// lock so concurrent runners do not race on CREATE TABLE.
func (s *Store) Ensure(ctx context.Context, q dialect.Execer, strataVersion string) error {
	ok, err := s.Exists(ctx, q)
	if err != nil {
		return err
	}
	if !ok {
		for _, stmt := range s.d.HistoryDDL(s.table) {
			if _, err := q.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("create history table %s: %w", s.table, err)
			}
		}
	} else if err := s.EnsureAudit(ctx, q); err != nil {
		// A history table made before the audit table existed.
		return err
	} else if err := s.EnsurePhase(ctx, q); err != nil {
		return err
	}
	var layout string
	err = q.QueryRowContext(ctx, "SELECT version FROM "+s.q+" WHERE id = "+s.d.Placeholder(1), LayoutID).Scan(&layout)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		now := time.Now().UTC()
		return s.Insert(ctx, q, Record{
			ID: LayoutID, Version: fmt.Sprint(Layout), Name: "strata history table layout", Kind: KindLayout,
			Status: Applied, StartedAt: now, FinishedAt: sql.NullTime{Time: now, Valid: true}, StrataVersion: strataVersion,
		})
	case err != nil:
		return fmt.Errorf("read history table layout of %s: %w", s.table, err)
	case layout != fmt.Sprint(Layout):
		return &LayoutError{Table: s.table.String(), Found: layout}
	}
	return nil
}

// LayoutError reports a history table written by a newer strata release.
type LayoutError struct {
	Table string
	Found string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("history table %s has layout %s, but this strata understands layout %d: upgrade strata", e.Table, e.Found, Layout)
}

// All returns every migration row (not the layout row), in no particular
// order, in one query. A missing table (told from the query's error, so
// there is no separate existence check) yields nil and no error; a table
// without rows yields an empty, non-nil slice.
func (s *Store) All(ctx context.Context, q dialect.Execer) ([]Record, error) {
	recs, err := s.all(ctx, q)
	if err != nil && s.d.MissingTable(errors.Unwrap(err)) {
		return nil, nil
	}
	return recs, err
}

func (s *Store) all(ctx context.Context, q dialect.Execer) ([]Record, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+s.sel+" FROM "+s.q+" WHERE kind <> 'layout'")
	if err != nil && !s.d.MissingTable(err) {
		// A table an earlier release made, not yet given its phase
		// column (the next writing run adds it): read it without.
		// A run that upgraded the table meanwhile: read it again.
		switch has, perr := s.hasPhase(ctx, q); {
		case perr == nil && !has:
			rows, err = q.QueryContext(ctx, "SELECT "+s.sel0+" FROM "+s.q+" WHERE kind <> 'layout'")
		case perr == nil:
			rows, err = q.QueryContext(ctx, "SELECT "+s.sel+" FROM "+s.q+" WHERE kind <> 'layout'")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	defer rows.Close()
	out := make([]Record, 0, s.rows+1)
	// One row and one list of destinations for every row: scanning into a
	// new Record each time would put 100,000 of them on the heap.
	var r Record
	var sums, errText sql.NullString
	var started, finished anyTime // whatever the driver's time settings
	dest := []any{&r.ID, &r.Version, &r.Name, &r.Kind, &r.File, &r.Checksum, &r.Status,
		&r.StatementsApplied, &r.StatementsTotal, &sums, &started, &finished,
		&r.ExecutionMS, &r.AppliedBy, &errText, &r.StrataVersion, &r.Phase}
	for rows.Next() {
		r, sums, errText = Record{}, sql.NullString{}, sql.NullString{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read history table %s: %w", s.table, err)
		}
		r.StatementChecksums, r.Error = sums.String, errText.String
		r.StartedAt, r.FinishedAt = started.Time, finished.NullTime
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history table %s: %w", s.table, err)
	}
	return out, nil
}

func (s *Store) placeholders(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString(s.d.Placeholder(i))
	}
	return b.String()
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// InsertQuery returns the statement that writes row r, for callers that
// send it together with other statements.
func (s *Store) InsertQuery(r Record) dialect.Query {
	return dialect.Query{SQL: "INSERT INTO " + s.q + " (" + columns + ") VALUES (" + s.placeholders(17) + ")", Args: []any{
		r.ID, r.Version, r.Name, string(r.Kind), r.File, r.Checksum, string(r.Status),
		r.StatementsApplied, r.StatementsTotal, nullString(r.StatementChecksums), s.timeArg(r.StartedAt), s.nullTimeArg(r.FinishedAt),
		r.ExecutionMS, r.AppliedBy, nullString(r.Error), r.StrataVersion, nullString(r.Phase)}}
}

// TimedInsertQuery is InsertQuery for a row sent in a pipelined batch
// (dialect.Pipeliner) after the statements it records: the server fills in
// finished_at (r.StartedAt plus the time the batch has run) and
// execution_ms from its own clock as the row is written, so the row says
// how long the statements ran although it was built before they were sent.
func (s *Store) TimedInsertQuery(r Record, pl dialect.Pipeliner) dialect.Query {
	p := s.d.Placeholder
	var b strings.Builder
	b.WriteString("INSERT INTO " + s.q + " (" + columns + ") VALUES (" + s.placeholders(11))
	b.WriteString(", " + pl.AddElapsed(p(12)) + ", " + pl.ElapsedMS())
	b.WriteString(", " + p(13) + ", " + p(14) + ", " + p(15) + ", " + p(16) + ")")
	start := s.timeArg(r.StartedAt)
	return dialect.Query{SQL: b.String(), Args: []any{
		r.ID, r.Version, r.Name, string(r.Kind), r.File, r.Checksum, string(r.Status),
		r.StatementsApplied, r.StatementsTotal, nullString(r.StatementChecksums), start, start,
		r.AppliedBy, nullString(r.Error), r.StrataVersion, nullString(r.Phase)}}
}

// Insert writes a new row.
func (s *Store) Insert(ctx context.Context, q dialect.Execer, r Record) error {
	iq := s.InsertQuery(r)
	_, err := q.ExecContext(ctx, iq.SQL, iq.Args...)
	if err != nil {
		return fmt.Errorf("record %s in history table %s: %w", r.ID, s.table, err)
	}
	return nil
}

// Advance records that statement number applied of a running file
// completed, appending its short checksum sum to the row's list.
func (s *Store) Advance(ctx context.Context, q dialect.Execer, id string, applied int, sum string) error {
	p := s.d.Placeholder
	err := s.fenced(q.ExecContext(ctx, "UPDATE "+s.q+" SET statements_applied = "+p(1)+
		", statement_checksums = CONCAT(COALESCE(statement_checksums, ''), "+s.d.TextPlaceholder(2)+")"+s.where(p(3)), applied, sum, id))
	if err != nil {
		return fmt.Errorf("record progress of %s in history table %s: %w", id, s.table, err)
	}
	return nil
}

// AdvanceSQL is Advance as one statement without parameters, to send in
// the same query as the statement it records (dialect.ImplicitTx), so
// both commit together or not at all.
func (s *Store) AdvanceSQL(id string, applied int, sum string) string {
	lit := func(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }
	return "UPDATE " + s.q + fmt.Sprintf(" SET statements_applied = %d", applied) +
		", statement_checksums = CONCAT(COALESCE(statement_checksums, ''), " + lit(sum) + ")" + s.where(lit(id))
}

// Restart marks row r.ID as running again for a resumed run: the new
// checksum (the file may have been fixed after the statements that already
// ran), start time, runner and total; completed statements are kept.
func (s *Store) Restart(ctx context.Context, q dialect.Execer, r Record) error {
	p := s.d.Placeholder
	res, err := q.ExecContext(ctx, "UPDATE "+s.q+" SET status = "+p(1)+", checksum = "+p(2)+", statements_total = "+p(3)+
		", started_at = "+p(4)+", finished_at = NULL, error = NULL, applied_by = "+p(5)+", strata_version = "+p(6)+", file = "+p(7)+s.where(p(8)),
		string(r.Status), r.Checksum, r.StatementsTotal, s.timeArg(r.StartedAt), r.AppliedBy, r.StrataVersion, r.File, r.ID)
	err = s.fenced(res, err)
	if err != nil {
		return fmt.Errorf("restart %s in history table %s: %w", r.ID, s.table, err)
	}
	return nil
}

// Finish sets the final status, progress, duration and error of row r.ID.
func (s *Store) Finish(ctx context.Context, q dialect.Execer, r Record) error {
	return s.FinishWith(ctx, q, r, "")
}

// FinishWith is Finish that also appends sum (when not empty) to the
// row's statement checksums, as Advance does: the outcome and the last
// statement's progress in one write.
func (s *Store) FinishWith(ctx context.Context, q dialect.Execer, r Record, sum string) error {
	p := s.d.Placeholder
	set := "UPDATE " + s.q + " SET status = " + p(1) + ", statements_applied = " + p(2) +
		", statements_total = " + p(3) + ", finished_at = " + p(4) + ", execution_ms = " + p(5) + ", error = " + p(6)
	args := []any{string(r.Status), r.StatementsApplied, r.StatementsTotal, s.nullTimeArg(r.FinishedAt), r.ExecutionMS, nullString(r.Error), r.ID}
	where := s.where(p(7))
	if sum != "" {
		set += ", statement_checksums = CONCAT(COALESCE(statement_checksums, ''), " + s.d.TextPlaceholder(7) + ")"
		args = append(args[:6:6], sum, r.ID)
		where = s.where(p(8))
	}
	err := s.fenced(q.ExecContext(ctx, set+where, args...))
	if err != nil {
		return fmt.Errorf("record outcome of %s in history table %s: %w", r.ID, s.table, err)
	}
	return nil
}

// Delete removes row id.
func (s *Store) Delete(ctx context.Context, q dialect.Execer, id string) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM "+s.q+" WHERE id = "+s.d.Placeholder(1), id); err != nil {
		return fmt.Errorf("delete %s from history table %s: %w", id, s.table, err)
	}
	return nil
}
