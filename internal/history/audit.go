package history

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/strata-db/strata/dialect"
)

// Action is what an audit entry records.
type Action string

// The actions the audit table records.
const (
	ActionResolveApplied    Action = "resolve_applied"     // a failed/partial/running row was marked applied
	ActionResolveRolledBack Action = "resolve_rolled_back" // a failed/partial/running row was forgotten
	ActionResolveAcceptEdit Action = "resolve_accept_edit" // an edited file's new checksum was accepted
	ActionBaseline          Action = "baseline"            // a version was recorded as applied without running it
	ActionDown              Action = "down"                // a down file ran (or failed half-way)
	ActionResume            Action = "resume"              // up --resume continued a file that stopped half-way
	ActionImport            Action = "import"              // a file another tool applied was recorded as applied
)

// AuditEntry is one row of the audit table: a change to the history that a
// human asked for, with the state and checksum before and after.
type AuditEntry struct {
	Seq           int64  // increasing number, assigned by the database
	MigrationID   string // the history row's ID
	Action        Action
	OldState      string // the migration's state before ("pending" when it had no row)
	NewState      string // the state after ("pending" when the row was removed)
	OldChecksum   string
	NewChecksum   string
	Reason        string
	By            string // who: operating-system user, database user and host
	At            time.Time
	Detail        string // what else was known: the error of a failed row, a down file's error
	StrataVersion string
}

const auditColumns = "migration_id, action, old_state, new_state, old_checksum, new_checksum, reason, performed_by, performed_at, detail, strata_version"

// AuditTable returns the audit table of this store's history table.
func (s *Store) AuditTable() dialect.Table { return dialect.AuditTable(s.table) }

// EnsureAudit creates the audit table if it does not exist, for history
// tables created before it was introduced. It is idempotent.
func (s *Store) EnsureAudit(ctx context.Context, q dialect.Execer) error {
	t := s.AuditTable()
	ok, err := s.d.TableExists(ctx, q, t)
	if err != nil {
		return fmt.Errorf("check audit table %s: %w", t, err)
	}
	if ok {
		return nil
	}
	for _, stmt := range s.d.HistoryDDL(s.table) {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create audit table %s: %w", t, err)
		}
	}
	return nil
}

// AddAudit writes an audit entry. Seq is ignored; At defaults to now.
func (s *Store) AddAudit(ctx context.Context, q dialect.Execer, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := q.ExecContext(ctx, "INSERT INTO "+s.d.QuoteTable(s.AuditTable())+" ("+auditColumns+") VALUES ("+s.placeholders(11)+")",
		e.MigrationID, string(e.Action), e.OldState, e.NewState, e.OldChecksum, e.NewChecksum, e.Reason, e.By,
		s.timeArg(e.At), nullString(e.Detail), e.StrataVersion)
	if err != nil {
		return fmt.Errorf("record %s of %s in audit table %s: %w", e.Action, e.MigrationID, s.AuditTable(), err)
	}
	return nil
}

// Audit returns the audit entries of migration id in the order they were
// written. A missing audit table yields no entries and no error.
func (s *Store) Audit(ctx context.Context, q dialect.Execer, id string) ([]AuditEntry, error) {
	t := s.AuditTable()
	rows, err := q.QueryContext(ctx, "SELECT seq, "+selectList(s.d, auditColumns, "performed_at")+" FROM "+s.d.QuoteTable(t)+
		" WHERE migration_id = "+s.d.Placeholder(1)+" ORDER BY performed_at, seq", id)
	if err != nil {
		if s.d.MissingTable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read audit table %s: %w", t, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var detail sql.NullString
		var at anyTime
		if err := rows.Scan(&e.Seq, &e.MigrationID, &e.Action, &e.OldState, &e.NewState, &e.OldChecksum, &e.NewChecksum,
			&e.Reason, &e.By, &at, &detail, &e.StrataVersion); err != nil {
			return nil, fmt.Errorf("read audit table %s: %w", t, err)
		}
		e.Detail, e.At = detail.String, at.Time
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit table %s: %w", t, err)
	}
	return out, nil
}

// Get returns the row with ID id, or nil when there is none. A missing
// history table yields nil and no error.
func (s *Store) Get(ctx context.Context, q dialect.Execer, id string) (*Record, error) {
	recs, err := s.All(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if recs[i].ID == id {
			return &recs[i], nil
		}
	}
	return nil, nil
}

// MarkApplied sets row id to applied with file and checksum, finished now,
// and clears its error; the progress columns keep what strata itself ran.
func (s *Store) MarkApplied(ctx context.Context, q dialect.Execer, id, file, checksum string) error {
	p := s.d.Placeholder
	res, err := q.ExecContext(ctx, "UPDATE "+s.q+" SET status = "+p(1)+", file = "+p(2)+", checksum = "+p(3)+", finished_at = "+p(4)+
		", error = NULL WHERE id = "+p(5), string(Applied), file, checksum, s.timeArg(time.Now()), id)
	return s.updated(res, err, "mark "+id+" applied")
}

// SetChecksum records checksum as row id's checksum.
func (s *Store) SetChecksum(ctx context.Context, q dialect.Execer, id, checksum string) error {
	p := s.d.Placeholder
	res, err := q.ExecContext(ctx, "UPDATE "+s.q+" SET checksum = "+p(1)+" WHERE id = "+p(2), checksum, id)
	return s.updated(res, err, "record the checksum of "+id)
}

// Update overwrites every column of row r.ID with r.
func (s *Store) Update(ctx context.Context, q dialect.Execer, r Record) error {
	p := s.d.Placeholder
	res, err := q.ExecContext(ctx, "UPDATE "+s.q+" SET version = "+p(1)+", name = "+p(2)+", kind = "+p(3)+", file = "+p(4)+
		", checksum = "+p(5)+", status = "+p(6)+", statements_applied = "+p(7)+", statements_total = "+p(8)+
		", statement_checksums = "+p(9)+", started_at = "+p(10)+", finished_at = "+p(11)+", execution_ms = "+p(12)+
		", applied_by = "+p(13)+", error = "+p(14)+", strata_version = "+p(15)+" WHERE id = "+p(16),
		r.Version, r.Name, string(r.Kind), r.File, r.Checksum, string(r.Status), r.StatementsApplied, r.StatementsTotal,
		nullString(r.StatementChecksums), s.timeArg(r.StartedAt), s.nullTimeArg(r.FinishedAt), r.ExecutionMS, r.AppliedBy,
		nullString(r.Error), r.StrataVersion, r.ID)
	return s.updated(res, err, "update "+r.ID)
}

// updated wraps err. It does not check the number of affected rows: MySQL
// reports 0 for an UPDATE that changes nothing.
func (s *Store) updated(_ sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s in history table %s: %w", what, s.table, err)
	}
	return nil
}
