package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/lint"
)

// The Markdown renderers: one function per result type, for --format
// markdown on stdout (a pull-request comment) and for the GitHub Actions
// step summary (GITHUB_STEP_SUMMARY). They render the values the text and
// JSON renderers use; none of them reads the database.

// mdPlan renders a plan of pending files with the lint findings of those
// files.
func mdPlan(w io.Writer, target string, p *strata.Plan, findings []lint.Finding) {
	if len(p.Steps) == 0 {
		fmt.Fprintf(w, "### strata plan: nothing to do\n\n%s%s.\n\n", mdTarget(target), atVersion(p.Status.Current))
		return
	}
	fmt.Fprintf(w, "### strata plan: %s to apply\n\n%s%s (%s).\n\n", plural(len(p.Steps), "migration"), mdTarget(target), atVersion(p.Status.Current), p.Dialect)
	fmt.Fprintf(w, "| File | Runs | Statements |\n|---|---|---|\n")
	for _, st := range p.Steps {
		how, _ := howStepRuns(p.TxMode, p.TransactionalDDL, st.Migration.Directives.NoTransaction, st)
		count := fmt.Sprint(st.Statements)
		if st.ResumeFrom > 0 {
			count = fmt.Sprintf("%d (resuming at %d)", st.Statements, st.ResumeFrom+1)
		}
		fmt.Fprintf(w, "| `%s` | %s | %s |\n", st.File, mdCell(how), count)
	}
	fmt.Fprintln(w)
	mdFindings(w, findings)
}

// mdUp renders what up applied, and, when err is not nil, where it failed
// and the exit code it gives.
func mdUp(w io.Writer, target string, res *strata.Result, elapsed time.Duration, err error, code int, scrub func(string) string) {
	var applied []strata.Applied
	if res != nil {
		applied = res.Applied
	}
	switch {
	case err != nil:
		fmt.Fprintf(w, "### strata up: failed (exit %d, %s)\n\n%s", code, errorCodes[code], mdTarget(target))
		mdFailure(w, err, scrub)
	case len(applied) == 0:
		fmt.Fprintf(w, "### strata up: nothing to do\n\n%s%s.\n\n", mdTarget(target), atVersion(res.Current))
		return
	default:
		fmt.Fprintf(w, "### strata up: applied %s in %s\n\n%s%s.\n\n", plural(len(applied), "migration"), fmtDuration(elapsed), mdTarget(target), atVersion(res.Current))
	}
	if len(applied) == 0 {
		return
	}
	if err != nil {
		fmt.Fprintf(w, "Applied before the failure (these stay applied):\n\n")
	}
	fmt.Fprintf(w, "| File | Statements | Duration |\n|---|---|---|\n")
	for _, ap := range applied {
		fmt.Fprintf(w, "| `%s` | %d | %s |\n", ap.File, ap.Statements, fmtDuration(ap.Duration))
	}
	fmt.Fprintln(w)
}

// mdLint renders lint findings.
func mdLint(w io.Writer, fs []lint.Finding, files int) {
	errs := lintErrors(fs)
	outcome := "passed"
	if errs > 0 {
		outcome = "failed"
	}
	fmt.Fprintf(w, "### strata lint: %s\n\n%s in %s: %d errors, %d warnings.\n\n", outcome, plural(len(fs), "finding"), plural(files, "file"), errs, len(fs)-errs)
	mdFindings(w, fs)
}

// mdFindings renders findings as a table naming file:line.
func mdFindings(w io.Writer, fs []lint.Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(w, "| Where | Severity | Rule | Finding |\n|---|---|---|---|\n")
	for _, f := range fs {
		fmt.Fprintf(w, "| `%s:%d` | %s | `%s` | %s |\n", f.File, f.Line, f.Severity, f.Rule, mdCell(f.Message))
	}
	fmt.Fprintln(w)
}

// mdVerify renders a verify run on a scratch database.
func mdVerify(w io.Writer, res *strata.VerifyResult, scratch string, scrub func(string) string) {
	outcome := "ok"
	if !res.OK() {
		outcome = "failed"
	}
	fmt.Fprintf(w, "### strata verify: %s\n\n%s applied on the scratch database `%s` (dropped afterwards).\n\n", outcome, plural(len(res.Files), "file run"), scratch)
	fmt.Fprintf(w, "| File | Phase | Outcome | Duration |\n|---|---|---|---|\n")
	for _, f := range res.Files {
		what := "ok"
		if f.Err != nil {
			what = "**failed**: " + mdCell(scrub(f.Err.Error()))
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", mdWhere(f.File, f.Err), f.Phase, what, fmtDuration(f.Duration))
	}
	fmt.Fprintln(w)
	for _, o := range res.Leftovers {
		fmt.Fprintf(w, "- left over after every down file ran: `%s`\n", o)
	}
	if len(res.Leftovers) > 0 {
		fmt.Fprintln(w)
	}
}

// mdCheck renders a check of the database against the folder.
func mdCheck(w io.Writer, target string, c jsonCheck) {
	ahead := ""
	if len(c.Ahead) > 0 {
		ahead = fmt.Sprintf(" The database is ahead of the folder: it has applied %s, which the folder does not have.", strings.Join(c.Ahead, ", "))
	}
	if c.OK {
		fmt.Fprintf(w, "### strata check: ok\n\n%sat version %s, nothing pending.%s\n\n", mdTarget(target), c.CurrentVersion, ahead)
		return
	}
	fmt.Fprintf(w, "### strata check: not ok (exit %d, %s)\n\n%sversion %s of %s; %d pending.%s\n\n", c.ExitCode, c.Code, mdTarget(target), orNone(c.CurrentVersion), orNone(c.HeadVersion), c.Pending, ahead)
	fmt.Fprintf(w, "| State | File | Detail | Fix |\n|---|---|---|---|\n")
	for _, p := range c.Problems {
		fmt.Fprintf(w, "| %s | `%s` | %s | %s |\n", p.State, p.File, mdCell(p.Detail), mdCell(p.Hint))
	}
	fmt.Fprintln(w)
}

// mdError renders a command that failed before it had a result to show
// (refused for drift, database unreachable, bad configuration).
func mdError(w io.Writer, command, target string, err error, code int, scrub func(string) string) {
	fmt.Fprintf(w, "### strata %s: failed (exit %d, %s)\n\n%s", command, code, errorCodes[code], mdTarget(target))
	mdFailure(w, err, scrub)
}

// mdFailure says what failed, naming file:line when the error knows them.
func mdFailure(w io.Writer, err error, scrub func(string) string) {
	var se *strata.StatementError
	if errors.As(err, &se) {
		fmt.Fprintf(w, "`%s:%d` failed (statement %d):\n\n```sql\n%s\n```\n\n", se.File, se.Line, se.Index, scrub(se.Statement))
		if se.Code != "" || se.Message != "" {
			fmt.Fprintf(w, "Server error %s: %s\n\n", se.Code, mdCell(scrub(se.Message)))
		}
		if se.Outcome != "" {
			fmt.Fprintf(w, "Outcome: %s.\n\n", se.Outcome)
		}
		return
	}
	var drift *strata.RefusedError
	if errors.As(err, &drift) && drift.Direction != strata.DirectionDown && len(drift.Problems) > 0 {
		fmt.Fprintf(w, "refused: the history and the folder disagree.\n\n| State | File | Detail | Fix |\n|---|---|---|---|\n")
		for _, p := range drift.Problems {
			fmt.Fprintf(w, "| %s | `%s` | %s | %s |\n", p.Kind, p.File, mdCell(scrub(p.Detail)), mdCell(problemHint(p)))
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "```\n%s\n```\n\n", scrub(cliErrorText(err)))
}

// mdWhere is file, or file:line when err is a statement's failure.
func mdWhere(file string, err error) string {
	var se *strata.StatementError
	if errors.As(err, &se) && se.Line > 0 {
		return fmt.Sprintf("%s:%d", file, se.Line)
	}
	return file
}

// mdTarget names the database, when known, at the start of a paragraph.
func mdTarget(target string) string {
	if target == "" {
		return ""
	}
	return "`" + target + "`: "
}

// mdCell makes s safe inside a table cell: one line, no column breaks.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r", "", "\n", "<br>").Replace(s)
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// lintErrors counts the findings of severity error.
func lintErrors(fs []lint.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == lint.Error {
			n++
		}
	}
	return n
}
