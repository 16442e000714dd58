package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/schema"
)

func (a *app) checkCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Exit 0 when the database is at the folder's head with nothing wrong",
		Long: `Compare the database with the migrations folder, read-only and without the
lock, for readiness probes and CI gates. Exit 0 when every file is applied and
unchanged; otherwise one code per finding, the first of these that applies:
14 a file failed or stopped half-way (failed, partial, interrupted),
12 an applied file is missing, 11 an applied file was edited,
13 a pending file is numbered below the highest applied one,
15 the schema drifted from the snapshot recorded after the last run (strata drift),
10 files are pending (or being applied right now).
A database ahead of the folder (applied versions newer than its newest file,
as when an older release runs after a newer one migrated) exits 0 with a note;
with --fail-if-ahead it exits 12, as an applied file missing from the folder.
With --phase it looks at that phase's files only: check --phase pre-deploy
exits 0 once every pre-deploy file is applied, post-deploy files pending or
not (docs/phases.md).`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			a.set.requireURL = true // a pipeline command: no implicit local database
			return a.check(cmd.Context())
		}),
	}
	phaseFlag(cmd, &a.phase, "look only at the files of this phase")
	return cmd
}

// checkCodes are check's findings, most severe first: when several apply,
// the first wins.
var checkCodes = []struct {
	code   int
	states []strata.State
}{
	{ExitCheckIncomplete, []strata.State{strata.StateFailed, strata.StatePartial, strata.StateInterrupted}},
	{ExitCheckMissing, []strata.State{strata.StateMissing}},
	{ExitCheckEdited, []strata.State{strata.StateEdited}},
	{ExitCheckOutOfOrder, []strata.State{strata.StateOutOfOrder}},
	{ExitCheckPending, []strata.State{strata.StatePending, strata.StateRunning}},
	// ExitCheckSchema (15) comes between out-of-order and pending; see
	// checkDrift.
}

// checkCode returns the exit code for a status. With failIfAhead a
// database ahead of the folder is a missing-file finding.
func checkCode(st *strata.Status, failIfAhead bool) int {
	for _, c := range checkCodes {
		if c.code == ExitCheckMissing && failIfAhead && len(st.Ahead) > 0 {
			return c.code
		}
		for _, ms := range st.Migrations {
			for _, s := range c.states {
				if ms.State == s {
					return c.code
				}
			}
		}
	}
	return ExitOK
}

// jsonCheck is `strata check --json` output.
type jsonCheck struct {
	OK             bool          `json:"ok"`
	ExitCode       int           `json:"exit_code"`
	Code           string        `json:"code"`
	CurrentVersion string        `json:"current_version"`
	HeadVersion    string        `json:"head_version"`
	Ahead          []string      `json:"ahead"`
	Pending        int           `json:"pending"`
	Problems       []jsonProblem `json:"problems"`
	Phase          string        `json:"phase"`
}

func (a *app) check(ctx context.Context) error {
	a.set.readOnly = true // changes nothing: SQLite opens read-only
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	phase, err := parsePhase(a.phase)
	if err != nil {
		return err
	}
	st, err := s.m.Status(ctx)
	if err != nil {
		return err
	}
	st = narrowPhase(st, phase)
	code := checkCode(st, a.failIfAhead)
	drift, err := a.checkDrift(ctx, s, code)
	if err != nil {
		return err
	}
	if len(drift) > 0 {
		code = ExitCheckSchema
	}
	out := jsonCheck{OK: code == ExitOK, ExitCode: code, Code: errorCodes[code], CurrentVersion: st.Current.String(),
		HeadVersion: st.Head.String(), Ahead: aheadVersions(st.Ahead), Pending: st.Pending, Problems: []jsonProblem{}, Phase: string(phase)}
	for _, p := range a.problems(st, false) {
		out.Problems = append(out.Problems, jsonProblem{State: string(p.Kind), Version: p.Version, File: p.File, Detail: a.scrub(p.Detail), Hint: problemHint(p)})
	}
	out.Problems = append(out.Problems, drift...)
	for _, ms := range st.Migrations {
		if ms.State == strata.StatePending {
			out.Problems = append(out.Problems, jsonProblem{State: string(ms.State), Version: ms.ID, File: ms.File,
				Detail: "not applied yet", Hint: "run strata up"})
		}
	}
	a.result(out)
	if a.wantSummary() {
		a.summarize(func(w io.Writer) { mdCheck(w, a.targetName(), out) })
	}
	if code == ExitOK {
		at := atVersion(st.Current)
		if d := st.AheadDetail(); d != "" {
			at = d
		}
		a.printf("ok: %s; nothing pending\n", at)
		return nil
	}
	a.printf("not ok (exit %d, %s): %s; %d pending\n", code, out.Code, atVersion(st.Current), st.Pending)
	for _, p := range out.Problems {
		a.printf("  %-12s %s: %s\n  %-12s fix: %s\n", p.State, p.File, p.Detail, "", p.Hint)
	}
	return &exitStatus{code: code, printed: true, err: errors.New(fmt.Sprint("check found ", out.Code))}
}

// problems are the findings that stop up: st.Problems, and with
// --fail-if-ahead a database ahead of the folder.
func (a *app) problems(st *strata.Status, allowOutOfOrder bool) []strata.Problem {
	probs := st.Problems(allowOutOfOrder)
	if p, ok := st.AheadProblem(); ok && a.failIfAhead {
		probs = append(probs, p)
	}
	return probs
}

// checkDrift compares the live schema with the last snapshot when nothing
// worse than pending files was found, and returns one problem per object
// that differs. A dialect that cannot read its schema, a database without
// a snapshot and a snapshot taken at another version report nothing.
func (a *app) checkDrift(ctx context.Context, s *openDB, code int) ([]jsonProblem, error) {
	if code != ExitOK && code != ExitCheckPending {
		return nil, nil
	}
	rep, err := s.m.Drift(ctx)
	if errors.Is(err, strata.ErrSchemaUnsupported) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if rep.Recorded == nil || rep.Stale {
		return nil, nil
	}
	var out []jsonProblem
	for _, c := range rep.Changes {
		out = append(out, jsonProblem{State: "schema_" + string(c.Op), Version: rep.Recorded.Version, File: string(c.Kind) + " " + a.scrub(c.Name),
			Detail: a.scrub(describeSchemaChange(c)) + " since the snapshot taken at version " + orNone(rep.Recorded.Version),
			Hint:   "see strata drift; keep it with strata resolve --accept-drift --reason TEXT, or undo it"})
	}
	return out, nil
}

// describeSchemaChange is one change in a few words: "index public.x
// added", "table public.users (column email) changed".
func describeSchemaChange(c schema.Change) string {
	s := string(c.Kind) + " " + c.Name
	if c.Op == schema.Changed {
		keys := make([]string, 0, len(c.Attrs))
		for _, at := range c.Attrs {
			keys = append(keys, at.Key)
		}
		s += " (" + strings.Join(keys, ", ") + ")"
	}
	return s + " " + string(c.Op)
}
