package strata

// Remedy says what a person can do about a [Problem],
// so a front end (the strata CLI, a web console) can phrase it in its own
// words: the library's Hint says it in terms of this package's API.
type Remedy string

// The remedies a [Problem] can carry.
const (
	// RemedyAcceptEdit: restore the edited file as it was applied, or,
	// when the edit is deliberate, accept it with [Migrator.Resolve] and
	// [ResolveAcceptEdit].
	RemedyAcceptEdit Remedy = "accept_edit"
	// RemedyRestoreFile: put the applied migration's file back in the
	// folder (with its down file, for a down plan's problem).
	RemedyRestoreFile Remedy = "restore_file"
	// RemedyAllowOutOfOrder: renumber the file above the current version,
	// or apply it anyway with [WithAllowOutOfOrder].
	RemedyAllowOutOfOrder Remedy = "allow_out_of_order"
	// RemedyWait: another run holds the migration lock and is applying
	// the file; wait for it to finish.
	RemedyWait Remedy = "wait"
	// RemedyResume: continue the file from the statement after the last
	// one that completed ([PlanOptions.Resume]), or settle it with
	// [Migrator.Resolve] and [ResolveApplied] or [ResolveRolledBack].
	RemedyResume Remedy = "resume"
	// RemedyResolveDownRow: a down file stopped half-way, which resume
	// cannot continue: settle it with [Migrator.Resolve] and
	// [ResolveRolledBack] (up runs the file again) or [ResolveApplied]
	// (the migration stays applied).
	RemedyResolveDownRow Remedy = "resolve_down_row"
	// RemedySettleFirst: a down run is refused until the failed, partial
	// or interrupted row is settled with [Migrator.Resolve].
	RemedySettleFirst Remedy = "settle_first"
	// RemedyFromNewerRelease: the database is ahead of this folder; run
	// from the release whose folder has the files.
	RemedyFromNewerRelease Remedy = "from_newer_release"
	// RemedyDeployNewerRelease: deploy the release whose folder has the
	// files, or let an older release run against a newer database by
	// not setting [WithFailIfAhead].
	RemedyDeployNewerRelease Remedy = "deploy_newer_release"
	// RemedyWriteDownFile: write the down file ([Problem].DownFile) that
	// undoes the migration, or undo it by hand.
	RemedyWriteDownFile Remedy = "write_down_file"
)
