package strata

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// BaselineOptions say up to which version [Migrator.Baseline] records migrations as
// applied.
type BaselineOptions struct {
	// Version is the last migration to record; it must be the version of
	// a file in the folder.
	Version source.Version
	// Reason is kept in the audit trail (optional).
	Reason string
	// Force records the versions that have no history row even when the
	// history already has rows; without it [Migrator.Baseline] refuses then.
	Force bool
}

// BaselineResult is what [Migrator.Baseline] recorded.
type BaselineResult struct {
	// Recorded are the IDs recorded as applied, in version order.
	Recorded []string
	// Skipped are the IDs up to Version that already had a history row
	// (only with Force).
	Skipped  []string
	LockWait time.Duration
}

// Baseline records every versioned migration up to opts.Version as applied
// without running it (strata baseline VERSION), for a database whose schema
// was built by hand or by another tool: each row has kind baseline, status
// applied, 0 statements and the file's current checksum, and each gets an
// audit entry; all in one transaction under the migration lock. [Migrator.Up] then
// applies only the later files. Repeatable migrations are not recorded;
// they run on the next up.
//
// It refuses with a [*BaselineRefusedError] when the history already has
// rows, unless opts.Force is set, and with an [*UnknownVersionError] (listing
// the nearest versions) when no file in the folder has opts.Version.
func (m *Migrator) Baseline(ctx context.Context, opts BaselineOptions) (*BaselineResult, error) {
	if opts.Version.IsZero() {
		return nil, &ConfigError{Msg: "baseline needs a version: the last migration whose changes are already in the database"}
	}
	if err := checkReason(opts.Reason, false); err != nil {
		return nil, fmt.Errorf("cannot baseline: %w", err)
	}
	if m.dir.Find(opts.Version) == nil {
		folder := &Status{}
		for _, mig := range m.dir.Versioned {
			folder.Migrations = append(folder.Migrations, MigrationStatus{ID: mig.ID(), Version: mig.Version})
		}
		return nil, unknownVersion(folder, opts.Version.String())
	}
	res := &BaselineResult{}
	var err error
	res.LockWait, err = m.locked(ctx, func(ctx context.Context, s *session) error {
		rows := 0
		for _, ms := range s.st.Migrations {
			if ms.rec != nil {
				rows++
			}
		}
		if rows > 0 && !opts.Force {
			return &BaselineRefusedError{Rows: rows}
		}
		now := time.Now()
		var recs []history.Record
		var entries []history.AuditEntry
		for _, mig := range m.dir.Versioned {
			if mig.Version.Compare(opts.Version) > 0 {
				break
			}
			ms := findStatus(s.st, mig.ID())
			if ms != nil && ms.rec != nil {
				res.Skipped = append(res.Skipped, mig.ID())
				continue
			}
			recs = append(recs, history.Record{
				ID: mig.ID(), Version: mig.Version.String(), Name: mig.Description, Kind: history.KindBaseline, File: mig.Path,
				Checksum: mig.Checksum, Status: history.Applied, StartedAt: now, FinishedAt: sql.NullTime{Time: now, Valid: true},
				AppliedBy: s.appliedBy, StrataVersion: m.cfg.version, Phase: string(mig.Phase),
			})
			e := s.audit(m, mig.ID(), history.ActionBaseline, StatePending, StateApplied, "", mig.Checksum, strings.TrimSpace(opts.Reason))
			e.Detail = "recorded as applied without running " + m.display(mig.Path) + " (baseline " + opts.Version.String() + ")"
			entries = append(entries, e)
		}
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for i := range recs {
				if err := m.store.Insert(ctx, tx, recs[i]); err != nil {
					return err
				}
				if err := m.store.AddAudit(ctx, tx, entries[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			res.Recorded = append(res.Recorded, r.ID)
		}
		if len(recs) > 0 {
			// The schema the baseline vouches for: later drift is
			// measured from it.
			s.snapshot = "baseline"
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
