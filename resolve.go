package strata

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/strata-db/strata/internal/history"
)

// ResolveAction says how [Migrator.Resolve] settles a migration.
type ResolveAction string

// The resolve actions (strata resolve VERSION --applied | --rolled-back |
// --accept-edit).
const (
	// ResolveApplied marks a failed, partial or interrupted file as
	// applied, after a human completed it by hand. The row records the
	// file's current checksum.
	ResolveApplied ResolveAction = "applied"
	// ResolveRolledBack forgets a failed, partial or interrupted attempt
	// (its history row is removed), after a human undid what ran, so that
	// up runs the file again from its start.
	ResolveRolledBack ResolveAction = "rolled-back"
	// ResolveAcceptEdit records the current checksum of an applied file
	// that was deliberately edited (comments, formatting), so it is no
	// longer reported as edited.
	ResolveAcceptEdit ResolveAction = "accept-edit"
)

func (a ResolveAction) audit() history.Action {
	switch a {
	case ResolveApplied:
		return history.ActionResolveApplied
	case ResolveRolledBack:
		return history.ActionResolveRolledBack
	}
	return history.ActionResolveAcceptEdit
}

// ResolveOptions say which migration to settle and how.
type ResolveOptions struct {
	// Version is the migration's version in any form ("7", "0007"), or a
	// repeatable migration's ID ("R__views").
	Version string
	// Action is what to do.
	Action ResolveAction
	// Reason says why; it is required and kept in the audit trail.
	Reason string
}

// ResolveResult is what a resolve changed.
type ResolveResult struct {
	ID       string
	OldState State
	NewState State // StateApplied, or StatePending when the row was removed
	// OldChecksum is the recorded checksum before; NewChecksum the one
	// recorded after ("" when the row was removed).
	OldChecksum, NewChecksum string
	// Audit is the entry written to the audit trail.
	Audit    history.AuditEntry
	LockWait time.Duration
}

// Resolve settles one migration that needs a human: it marks a file that
// stopped half-way as applied or rolled back, or accepts the edit of an
// applied file. It holds the migration lock, changes the history row and
// writes an audit entry (old and new state and checksum, reason, who,
// when) in one transaction. A refusal is a [*ResolveError] saying what to do
// instead, an [*UnknownVersionError], [ErrReasonRequired] or
// [ErrReasonPlaceholder]; nothing is
// changed then.
func (m *Migrator) Resolve(ctx context.Context, opts ResolveOptions) (*ResolveResult, error) {
	switch opts.Action {
	case ResolveApplied, ResolveRolledBack, ResolveAcceptEdit:
	default:
		return nil, &ConfigError{Msg: fmt.Sprintf("unknown resolve action %q: use applied, rolled-back or accept-edit", opts.Action)}
	}
	if err := checkReason(opts.Reason, true); err != nil {
		return nil, fmt.Errorf("cannot resolve %s as %s: %w", opts.Version, opts.Action, err)
	}
	id, err := canonicalID(opts.Version)
	if err != nil {
		return nil, err
	}
	res := &ResolveResult{ID: id}
	res.LockWait, err = m.locked(ctx, func(ctx context.Context, s *session) error {
		ms := findStatus(s.st, id)
		if ms == nil {
			return unknownVersion(s.st, opts.Version)
		}
		if err := checkResolvable(ms, opts.Action); err != nil {
			return err
		}
		res.OldState, res.OldChecksum = ms.State, ms.RecordedChecksum
		var change func(tx *sql.Tx) error
		switch opts.Action {
		case ResolveApplied:
			res.NewState, res.NewChecksum = StateApplied, ms.RecordedChecksum
			file := ms.rec.File
			if ms.Migration != nil {
				res.NewChecksum, file = ms.Migration.Checksum, ms.Migration.Path
			}
			change = func(tx *sql.Tx) error { return m.store.MarkApplied(ctx, tx, id, file, res.NewChecksum) }
		case ResolveRolledBack:
			res.NewState = StatePending
			change = func(tx *sql.Tx) error { return m.store.Delete(ctx, tx, id) }
		default:
			res.NewState, res.NewChecksum = StateApplied, ms.Migration.Checksum
			change = func(tx *sql.Tx) error { return m.store.SetChecksum(ctx, tx, id, res.NewChecksum) }
		}
		res.Audit = s.audit(m, id, opts.Action.audit(), res.OldState, res.NewState, res.OldChecksum, res.NewChecksum, strings.TrimSpace(opts.Reason))
		res.Audit.Detail = describeRow(ms)
		if opts.Action != ResolveAcceptEdit {
			// The human settled a file that stopped half-way, by finishing
			// or undoing it: the schema they left is the one later drift
			// is measured from.
			s.snapshot = "resolve " + string(opts.Action)
		}
		return s.inTx(ctx, func(tx *sql.Tx) error {
			if err := change(tx); err != nil {
				return err
			}
			return m.store.AddAudit(ctx, tx, res.Audit)
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// incomplete reports whether a row stopped half-way. A row whose file is
// gone is judged by its recorded status.
func incomplete(ms *MigrationStatus) bool {
	switch ms.State {
	case StateFailed, StatePartial, StateRunning, StateInterrupted:
		return true
	case StateMissing:
		return ms.rec != nil && ms.rec.Status != history.Applied
	}
	return false
}

// checkResolvable refuses an action the migration's state does not allow.
func checkResolvable(ms *MigrationStatus, a ResolveAction) error {
	refuse := func(why ResolveRefusal, msg string) error {
		return &ResolveError{Version: ms.ID, Action: a, State: ms.State, File: ms.File, Refusal: why, Msg: msg}
	}
	rerun := ms.State == StatePending && ms.rec != nil // a repeatable whose file changed
	switch {
	case a != ResolveAcceptEdit && incomplete(ms):
		return nil
	case a == ResolveAcceptEdit && ms.State == StateEdited:
		return nil
	case incomplete(ms):
		return refuse(RefusedNotApplied, fmt.Sprintf("it is %s, not applied, so there is no edit to accept: settle it first as applied (you completed it by hand) or rolled back (you undid it)", ms.State))
	case rerun:
		return refuse(RefusedRerun, "it is a repeatable migration whose file changed; it runs again on the next Up, so there is nothing to resolve")
	case ms.State == StatePending || ms.State == StateOutOfOrder:
		return refuse(RefusedPending, "it is pending: it never ran, so there is nothing to resolve; apply it with Up, or record it with Baseline if its changes are already in the database")
	case ms.State == StateMissing:
		return refuse(RefusedMissing, "its file "+ms.File+" is missing from the folder; restore the file first")
	case ms.State == StateAhead:
		return refuse(RefusedAhead, "its file "+ms.File+" is not in this folder: the database is ahead of it; resolve it from the release that has the file")
	case a == ResolveAcceptEdit:
		return refuse(RefusedNotEdited, "its file is not edited: the checksum matches the history, so there is nothing to accept")
	case ms.State == StateEdited:
		return refuse(RefusedEdited, "it is already applied, but its file was edited since; if the edit is deliberate, accept it with ResolveAcceptEdit")
	}
	return refuse(RefusedApplied, "it is already applied; there is nothing to resolve")
}

// describeRow summarises a history row for the audit's detail column.
func describeRow(ms *MigrationStatus) string {
	r := ms.rec
	if r == nil {
		return ""
	}
	d := fmt.Sprintf("history row was %s with %d of %d statements applied, by %s", r.Status, r.StatementsApplied, r.StatementsTotal, r.AppliedBy)
	if r.Error != "" {
		d += "; error: " + r.Error
	}
	return d
}
