package strata

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// ImportPlan is what Import records: the files of the folder that another
// migration tool already applied, and where that tool recorded each.
type ImportPlan struct {
	// Tool names the tool the history comes from ("goose"), for the
	// audit trail.
	Tool string
	// Entries are the files to record as applied, in any order.
	Entries []ImportEntry
	// Reason is kept in the audit trail (optional).
	Reason string
}

// ImportEntry is one file another tool applied.
type ImportEntry struct {
	// Version is the file's version in the folder.
	Version source.Version
	// AppliedAt is when the other tool applied it; zero when it did not
	// record it (the row then says now).
	AppliedAt time.Time
	// Detail says where the other tool recorded it ("goose_db_version id
	// 3, version_id 20240101120000"); it is kept in the audit entry.
	Detail string
}

// ImportResult is what Import recorded.
type ImportResult struct {
	// Recorded are the IDs recorded as applied, in version order.
	Recorded []string
	// Skipped are the IDs that already had the same applied row: an
	// import run again changes nothing.
	Skipped  []string
	LockWait time.Duration
}

// ImportConflictError reports a file of an import plan whose history row
// already exists and differs (another checksum, or not applied). Nothing
// was changed.
type ImportConflictError struct {
	ID       string
	File     string
	State    string // the row's status
	Checksum string // the row's checksum
	Want     string // the file's checksum
}

func (e *ImportConflictError) Error() string {
	return fmt.Sprintf("refusing to import %s: its history row already exists with status %s and checksum %s, but the file's checksum is %s; "+
		"compare the two before importing", e.File, e.State, e.Checksum, e.Want)
}

// importRecords builds the history rows and audit entries of plan.
func (m *Migrator) importRecords(plan ImportPlan, appliedBy, who string) ([]history.Record, []history.AuditEntry, error) {
	var recs []history.Record
	var entries []history.AuditEntry
	now := time.Now()
	for _, e := range plan.Entries {
		mig := m.dir.Find(e.Version)
		if mig == nil {
			folder := &Status{}
			for _, v := range m.dir.Versioned {
				folder.Migrations = append(folder.Migrations, MigrationStatus{ID: v.ID(), Version: v.Version})
			}
			return nil, nil, unknownVersion(folder, e.Version.String())
		}
		at := now
		if !e.AppliedAt.IsZero() {
			at = e.AppliedAt
		}
		recs = append(recs, history.Record{
			ID: mig.ID(), Version: mig.Version.String(), Name: mig.Description, Kind: history.KindBaseline, File: mig.Path,
			Checksum: mig.Checksum, Status: history.Applied, StartedAt: at, FinishedAt: sql.NullTime{Time: at, Valid: true},
			AppliedBy: appliedBy, StrataVersion: m.cfg.version,
		})
		detail := "imported from " + plan.Tool + ": recorded as applied without running " + m.display(mig.Path)
		if e.Detail != "" {
			detail += "; " + e.Detail
		}
		entries = append(entries, history.AuditEntry{
			MigrationID: mig.ID(), Action: history.ActionImport, OldState: string(StatePending), NewState: string(StateApplied),
			NewChecksum: mig.Checksum, Reason: strings.TrimSpace(plan.Reason), By: who, At: now, Detail: detail, StrataVersion: m.cfg.version,
		})
	}
	return recs, entries, nil
}

// ImportSQL returns the statements Import would write to the history
// table for plan, for a dry run; each also gets an audit entry.
func (m *Migrator) ImportSQL(plan ImportPlan) ([]dialect.Query, error) {
	recs, _, err := m.importRecords(plan, "", "")
	if err != nil {
		return nil, err
	}
	out := make([]dialect.Query, 0, len(recs))
	for _, r := range recs {
		out = append(out, m.store.InsertQuery(r))
	}
	return out, nil
}

// Import records the files of plan as applied without running them: the
// files another migration tool applied, so that Apply goes on with the
// rest (strata import). Each row has kind baseline, the file's checksum
// and the other tool's applied_at when known; each gets an audit entry
// with the entry's Detail. All rows are written in one transaction under
// the migration lock. It is idempotent: a file whose applied row already
// has the same checksum is skipped; one whose row differs stops the import
// with an *ImportConflictError before anything is written.
func (m *Migrator) Import(ctx context.Context, plan ImportPlan) (*ImportResult, error) {
	if err := checkReason(plan.Reason, false); err != nil {
		return nil, fmt.Errorf("cannot import: %w", err)
	}
	res := &ImportResult{}
	var err error
	res.LockWait, err = m.locked(ctx, func(ctx context.Context, s *session) error {
		recs, entries, err := m.importRecords(plan, s.appliedBy, s.who)
		if err != nil {
			return err
		}
		var keep []int
		for i, r := range recs {
			ms := findStatus(s.st, r.ID)
			if ms == nil || ms.Record == nil {
				keep = append(keep, i)
				continue
			}
			if ms.Record.Status == string(history.Applied) && ms.Record.Checksum == r.Checksum {
				res.Skipped = append(res.Skipped, r.ID)
				continue
			}
			return &ImportConflictError{ID: r.ID, File: m.display(r.File), State: string(ms.Record.Status), Checksum: ms.Record.Checksum, Want: r.Checksum}
		}
		newRecs := make([]history.Record, 0, len(keep))
		newEntries := make([]history.AuditEntry, 0, len(keep))
		for _, i := range keep {
			newRecs, newEntries = append(newRecs, recs[i]), append(newEntries, entries[i])
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if err := m.store.InsertMany(ctx, tx, newRecs); err != nil {
				return err
			}
			return m.store.AddAuditMany(ctx, tx, newEntries)
		})
		if err != nil {
			return err
		}
		for _, i := range keep {
			res.Recorded = append(res.Recorded, recs[i].ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
