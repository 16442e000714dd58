package strata

import (
	"time"

	"github.com/strata-db/strata/internal/history"
)

// Record is one migration's row in the history table, as
// [Migrator.Status] and [Migrator.History] read it: a copy, so changing it
// changes nothing.
type Record struct {
	ID      string // canonical version, or "R__description" for repeatables
	Version string // canonical version ("" for repeatables)
	Name    string // the migration's description
	// Kind is what the row records: "versioned", "repeatable" or
	// "baseline" (recorded by [Migrator.Baseline] or [Migrator.Import]
	// without running).
	Kind string
	// File is the file the row names: the down file while a down file
	// runs, and after one stopped half-way.
	File     string
	Checksum string
	// Status is "applied", "running", "failed" or "partial".
	Status            string
	StatementsApplied int
	StatementsTotal   int
	// StatementChecksums are the [StatementChecksum]s of the statements
	// that completed, comma-separated, for a file run outside a
	// transaction.
	StatementChecksums string
	StartedAt          time.Time
	FinishedAt         time.Time // zero while running
	Duration           time.Duration
	AppliedBy          string
	Error              string
	StrataVersion      string // the strata that wrote the row ([WithVersion])
	// Phase is the phase the file ran in, "pre-deploy" or "post-deploy"
	// (docs/phases.md); "" for rows written before strata recorded it.
	Phase string
}

func recordOf(r *history.Record) *Record {
	out := &Record{ID: r.ID, Version: r.Version, Name: r.Name, Kind: string(r.Kind), File: r.File, Checksum: r.Checksum,
		Status: string(r.Status), StatementsApplied: r.StatementsApplied, StatementsTotal: r.StatementsTotal, StatementChecksums: r.StatementChecksums,
		StartedAt: r.StartedAt, Duration: time.Duration(r.ExecutionMS) * time.Millisecond,
		AppliedBy: r.AppliedBy, Error: r.Error, StrataVersion: r.StrataVersion, Phase: r.Phase}
	if r.FinishedAt.Valid {
		out.FinishedAt = r.FinishedAt.Time
	}
	return out
}

// AuditEntry is one change to the history that a human asked for
// ([Migrator.Resolve], [Migrator.Baseline], a down run, a resumed file),
// with the state and checksum before and after.
type AuditEntry struct {
	Seq         int64  // increasing number, assigned by the database
	MigrationID string // the history row's ID
	// Action is "resolve_applied", "resolve_rolled_back",
	// "resolve_accept_edit", "baseline", "down", "resume" or "import"
	// (recorded by [Migrator.Import]).
	Action        string
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

func auditOf(es []history.AuditEntry) []AuditEntry {
	out := make([]AuditEntry, len(es))
	for i, e := range es {
		out[i] = AuditEntry{Seq: e.Seq, MigrationID: e.MigrationID, Action: string(e.Action), OldState: e.OldState, NewState: e.NewState,
			OldChecksum: e.OldChecksum, NewChecksum: e.NewChecksum, Reason: e.Reason, By: e.By, At: e.At, Detail: e.Detail, StrataVersion: e.StrataVersion}
	}
	return out
}
