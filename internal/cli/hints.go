package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
)

// reasonHint is how hints show the --reason flag: a placeholder that the
// library refuses, so pasting a hint unchanged records nothing.
const reasonHint = `--reason "<what you checked>"`

// problemHint phrases what to do about p as strata commands.
func problemHint(p strata.Problem) string {
	if p.Direction == strata.DirectionDown {
		return downHint(p)
	}
	switch p.Remedy {
	case strata.RemedyAcceptEdit:
		return "restore the file as it was applied (git checkout) and put the change in a new migration (strata new); if the edit is deliberate and harmless (comments, formatting), accept it: strata resolve " + p.Version + " --accept-edit " + reasonHint
	case strata.RemedyAllowOutOfOrder:
		return "renumber it above " + p.Current + " (strata new gives the next number), or pass --allow-out-of-order to apply it anyway"
	case strata.RemedyWait:
		return "another strata run holds the migration lock and is applying it: wait for it to finish"
	case strata.RemedyDeployNewerRelease:
		return "deploy the release whose folder has these files; or, to let an older release run against a newer database, drop --fail-if-ahead (STRATA_FAIL_IF_AHEAD, fail-if-ahead in strata.toml)"
	case strata.RemedyResolveDownRow:
		if p.ResumeRefused {
			return "this row was left by a down file that stopped half-way, so --resume cannot continue it: finish or undo it by hand, then strata resolve " + p.Version + " --applied (the migration stays applied) or --rolled-back (up runs it again)"
		}
		h := "a down file stopped after " + fmt.Sprint(p.Applied) + " of its statements"
		if p.Line > 0 {
			h += fmt.Sprintf(" (the next is at line %d of %s)", p.Line, p.RecordedFile)
		}
		return h + "; look at the database, then either finish the rollback by hand and record it: strata resolve " + p.Version + " --rolled-back --reason '...' (up runs the file again)" +
			"; or undo what the down file did by hand: strata resolve " + p.Version + " --applied --reason '...' (the migration stays applied)"
	case strata.RemedyResume:
		h := "look at the database, then either continue from statement " + fmt.Sprint(p.Applied+1)
		if p.Line > 0 {
			h += fmt.Sprintf(" (line %d)", p.Line)
		}
		return h + " once its cause is fixed: strata up --resume" +
			"; or, if you completed the file by hand: strata resolve " + p.Version + " --applied " + reasonHint +
			"; or, if you undid what ran by hand: strata resolve " + p.Version + " --rolled-back " + reasonHint
	}
	return p.Hint
}

// downHint phrases what to do about a refused rollback as strata commands.
func downHint(p strata.Problem) string {
	switch p.Remedy {
	case strata.RemedySettleFirst:
		return "settle it first: strata resolve " + p.Version + " --applied or --rolled-back " + reasonHint
	case strata.RemedyFromNewerRelease:
		return "run strata down from the release that has " + p.File + " and its down file"
	case strata.RemedyAcceptEdit:
		return "restore the up file as it was applied (git checkout), or if the edit is deliberate accept it first: strata resolve " + p.Version + " --accept-edit " + reasonHint
	}
	return p.Hint
}

// refusedText is a RefusedError as the CLI says it: the library's
// message with strata commands for hints.
func refusedText(e *strata.RefusedError) string {
	c := *e
	c.Problems = make([]strata.Problem, len(e.Problems))
	for i, p := range e.Problems {
		p.Hint = problemHint(p)
		c.Problems[i] = p
	}
	return c.Error()
}

// cliErrorText is err's message with the library's own words for what to
// do replaced by the strata commands and flags that do it. The library's
// text of each typed error is found in err's message and replaced whole,
// so wrapping around it is kept.
func cliErrorText(err error) string {
	msg := err.Error()
	swap := func(lib, cli string) {
		if lib != "" && lib != cli {
			msg = strings.Replace(msg, lib, cli, 1)
		}
	}
	var (
		refd  *strata.RefusedError
		uv    *strata.UnknownVersionError
		base  *strata.BaselineRefusedError
		rsn   *strata.ReasonError
		res   *strata.ResolveError
		rsm   *strata.ResumeError
		cfg   *strata.ConfigError
		lt    *dialect.LockTimeoutError
		lost  *dialect.LockLostError
		still *strata.StillExecutingError
	)
	var stmt *strata.StatementError
	if errors.As(err, &stmt) && stmt.Remedy == strata.RemedyResolveDownRow {
		swap(stmt.Outcome, strings.TrimSuffix(stmt.Outcome, "then resolve the migration as rolled back or as applied")+
			"then strata resolve "+stmt.Version+" --rolled-back or --applied")
	}
	if errors.As(err, &lt) {
		swap(lt.Error(), lt.Found()+"; another strata run is migrating this database: wait for it, or raise --lock-timeout")
	}
	var pe *strata.PoolerError
	if errors.As(err, &pe) {
		swap("run it over a direct connection to the server (not through the pooler) or through session pooling",
			"give the server's own URL with --direct-url (STRATA_DIRECT_URL, direct-url in strata.toml) so migrations bypass the pooler, or point --url at a session-mode pool")
	}
	if errors.As(err, &lost) {
		swap(lost.Error(), lost.Found()+"check strata status before running again")
	}
	if errors.As(err, &still) {
		swap(still.Error(), fmt.Sprintf("%s: the run that was applying it is gone or stopped, but its statement is still executing on %s (the connection still exists): "+
			"wait until it ends (strata status shows the file as running until then), or stop it with %s; then run strata status again", still.File, still.Conn, still.Kill))
	}
	if errors.As(err, &cfg) {
		swap(cfg.Error(), configText(cfg))
	}
	var sd *strata.SchemaDriftError
	if errors.As(err, &sd) {
		swap(sd.Error(), sd.Found()+"; the files were reviewed against the recorded schema: see what changed with strata drift, "+
			"then keep the change with strata resolve --accept-drift --reason TEXT, or pass --allow-drift (STRATA_ALLOW_DRIFT, allow-drift in strata.toml) to apply anyway")
	}
	if errors.As(err, &res) {
		swap(res.Error(), resolveText(res))
	}
	if errors.As(err, &rsm) {
		swap(rsm.Error(), fmt.Sprintf("%s:%d: cannot resume: statement %d already ran, but the file's statement %d is not the one that ran (%d statements had completed); restore those statements as they were, or settle the file by hand with strata resolve --applied or --rolled-back",
			rsm.File, rsm.Line, rsm.Index, rsm.Index, rsm.Applied))
	}
	if errors.As(err, &refd) {
		swap(refd.Error(), refusedText(refd))
	}
	var po *strata.PhaseOrderError
	if errors.As(err, &po) {
		swap(po.Error(), phaseOrderText(po))
	}
	if errors.As(err, &uv) {
		swap(uv.Error(), uv.Found()+"; run strata status to list the versions")
	}
	if errors.As(err, &base) {
		swap(base.Error(), fmt.Sprintf("refusing to baseline: the history already has %d migration rows, so this database is managed by strata; "+
			"run strata status to see them, or pass --force to record only the versions that have no row", base.Rows))
	}
	if errors.As(err, &rsn) {
		swap(rsn.Error(), fmt.Sprintf("--reason %q: %v", rsn.Reason, rsn.Err))
	}
	if errors.Is(err, strata.ErrReasonRequired) {
		swap(strata.ErrReasonRequired.Error(), "a reason is required: say why, for example --reason 'finished the index by hand after a timeout'")
	}
	if errors.Is(err, strata.ErrReasonPlaceholder) {
		swap(strata.ErrReasonPlaceholder.Error(), "the reason is a placeholder, not a reason: say in your own words what you checked or did, for example --reason 'finished the index by hand after a timeout'")
	}
	return msg
}

// resolveText is a ResolveError as the CLI says it, naming the flags.
func resolveText(e *strata.ResolveError) string {
	msg := e.Msg
	switch e.Refusal {
	case strata.RefusedNotApplied:
		msg = fmt.Sprintf("it is %s, not applied, so there is no edit to accept: settle it first with --applied (you completed it by hand) or --rolled-back (you undid it)", e.State)
	case strata.RefusedRerun:
		msg = "it is a repeatable migration whose file changed; it runs again on the next strata up, so there is nothing to resolve"
	case strata.RefusedPending:
		msg = "it is pending: it never ran, so there is nothing to resolve; run strata up to apply it, or strata baseline if its changes are already in the database"
	case strata.RefusedAhead:
		msg = "its file " + e.File + " is not in this folder: the database is ahead of it; run strata resolve from the release that has the file"
	case strata.RefusedEdited:
		msg = "it is already applied, but its file was edited since; if the edit is deliberate, use --accept-edit"
	}
	return fmt.Sprintf("cannot resolve %s --%s: %s", e.Version, e.Action, msg)
}

// configText is a ConfigError as the CLI says it, naming the flags.
func configText(e *strata.ConfigError) string {
	switch e.Kind {
	case strata.ConfigTxAllNotPossible:
		return fmt.Sprintf("--tx=all is not possible on %s: it commits DDL implicitly, so a failure half-way could not be rolled back; use the default --tx=file, where strata records progress after each statement", e.Database)
	case strata.ConfigTxAllFile:
		return fmt.Sprintf("--tx=all: %s cannot run in a transaction (%s); run without --tx=all", e.File, e.Reason)
	case strata.ConfigLeaseOneConn:
		return "--lock-mode=lease needs a second database connection to renew the lease while files run, but the pool allows one (SetMaxOpenConns(1)); use the default session lock"
	case strata.ConfigDownStepsAndTo:
		return "give either a number of migrations to roll back or --to VERSION, not both"
	case strata.ConfigDownTooMany:
		return fmt.Sprintf("cannot roll back %d migrations: only %d are applied; use strata down %d, or strata down --to 0 to roll back every one", e.Count, e.Applied, e.Applied)
	case strata.ConfigNothingToRedo:
		return "nothing to redo: no migration is applied; run strata up"
	case strata.ConfigRehearseNotPossible:
		return fmt.Sprintf("strata rehearse is not possible on %s: it commits DDL implicitly, so the rehearsal could not be rolled back and would change the database; use strata verify, which applies the migrations to a scratch database", e.Database)
	}
	return e.Msg
}
