package strata

import (
	"errors"
	"fmt"
	"strings"
)

// ErrReasonRequired is returned (wrapped) by [Migrator.Resolve] when the reason is
// empty: every resolve is recorded in the audit trail with why.
var ErrReasonRequired = errors.New("a reason is required: say why, for example 'finished the index by hand after a timeout'")

// UnknownVersionError reports a version that is neither a file in the
// migrations folder nor a row in the history table. Nothing was changed.
type UnknownVersionError struct {
	Version string
	// Nearest lists up to three known versions closest to Version.
	Nearest []string
}

// Error names the version and the nearest known ones.
func (e *UnknownVersionError) Error() string {
	return e.Found() + "; Status lists the versions"
}

// Found says what was found: the version is unknown, and the nearest
// known ones. It is Error without the hint, for front ends that phrase
// their own.
func (e *UnknownVersionError) Found() string {
	msg := fmt.Sprintf("unknown version %s: no migration file or history row has it", e.Version)
	if len(e.Nearest) > 0 {
		msg += "; nearest: " + strings.Join(e.Nearest, ", ")
	}
	return msg
}

// ErrHistoryChanged is matched ([errors.Is]) when the history changed between
// making a plan and taking the lock to apply it, so the plan no longer says
// what would run. Nothing was changed; make the plan again.
var ErrHistoryChanged = errors.New("the history changed since the plan was made (another run migrated this database); nothing was done: plan again")

// ResolveError says why a resolve was refused. Nothing was changed.
type ResolveError struct {
	Version string
	Action  ResolveAction
	// State is the migration's state that made the action impossible.
	State State
	// File is the migration's display name (the recorded file when it is
	// not in the folder).
	File string
	// Refusal is why the action was refused, for callers that phrase
	// their own message.
	Refusal ResolveRefusal
	// Msg says what was found and what to do instead.
	Msg string
}

// Error says which resolve was refused, why and what to do instead.
func (e *ResolveError) Error() string {
	return fmt.Sprintf("cannot resolve %s as %s: %s", e.Version, e.Action, e.Msg)
}

// ResolveRefusal says why [Migrator.Resolve] refused an action.
type ResolveRefusal string

// The reasons a [ResolveError] gives.
const (
	RefusedNotApplied ResolveRefusal = "not_applied" // ResolveAcceptEdit on a failed, partial, running or interrupted row: settle it first
	RefusedRerun      ResolveRefusal = "rerun"       // a repeatable whose file changed: it runs again on the next [Migrator.Up]
	RefusedPending    ResolveRefusal = "pending"     // it never ran: apply it with [Migrator.Up] or record it with [Migrator.Baseline]
	RefusedMissing    ResolveRefusal = "missing"     // its file is missing from the folder
	RefusedAhead      ResolveRefusal = "ahead"       // the database is ahead of the folder: resolve from the newer release
	RefusedNotEdited  ResolveRefusal = "not_edited"  // ResolveAcceptEdit on a file whose checksum matches
	RefusedEdited     ResolveRefusal = "edited"      // applied but edited: only [ResolveAcceptEdit] applies
	RefusedApplied    ResolveRefusal = "applied"     // applied and unchanged: nothing to resolve
)

// BaselineRefusedError reports that the history table already has rows, so
// a baseline could hide files that never ran. Nothing was changed.
type BaselineRefusedError struct {
	Rows int // migration rows already in the history
}

// Error says why the baseline was refused and how to force it.
func (e *BaselineRefusedError) Error() string {
	return fmt.Sprintf("refusing to baseline: the history already has %d migration rows, so this database is managed by strata; "+
		"see them with Status, or set BaselineOptions.Force to record only the versions that have no row", e.Rows)
}
