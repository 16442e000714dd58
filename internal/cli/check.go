package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
)

func (a *app) checkCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Exit 0 when the database is at the folder's head with nothing wrong",
		Long: `Compare the database with the migrations folder, read-only and without the
lock, for readiness probes and CI gates. Exit 0 when every file is applied and
unchanged; otherwise one code per finding, the first of these that applies:
14 a file failed or stopped half-way (failed, partial, interrupted),
12 an applied file is missing, 11 an applied file was edited,
13 a pending file is numbered below the highest applied one,
10 files are pending (or being applied right now).`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			a.set.requireURL = true // a pipeline command: no implicit local database
			return a.check(cmd.Context())
		}),
	}
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
}

// checkCode returns the exit code for a status.
func checkCode(st *strata.Status) int {
	for _, c := range checkCodes {
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
	Pending        int           `json:"pending"`
	Problems       []jsonProblem `json:"problems"`
}

func (a *app) check(ctx context.Context) error {
	a.set.readOnly = true // changes nothing: SQLite opens read-only
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.m.Status(ctx)
	if err != nil {
		return err
	}
	code := checkCode(st)
	out := jsonCheck{OK: code == ExitOK, ExitCode: code, Code: errorCodes[code], CurrentVersion: st.Current.String(),
		HeadVersion: st.Head.String(), Pending: st.Pending, Problems: []jsonProblem{}}
	for _, p := range st.Problems(false) {
		out.Problems = append(out.Problems, jsonProblem{State: string(p.State), Version: p.Version, File: p.File, Detail: a.scrub(p.Detail), Hint: p.Hint})
	}
	for _, ms := range st.Migrations {
		if ms.State == strata.StatePending {
			out.Problems = append(out.Problems, jsonProblem{State: string(ms.State), Version: ms.ID, File: ms.File,
				Detail: "not applied yet", Hint: "run strata up"})
		}
	}
	a.result(out)
	if code == ExitOK {
		a.printf("ok: %s; nothing pending\n", atVersion(st.Current))
		return nil
	}
	a.printf("not ok (exit %d, %s): %s; %d pending\n", code, out.Code, atVersion(st.Current), st.Pending)
	for _, p := range out.Problems {
		a.printf("  %-12s %s: %s\n  %-12s fix: %s\n", p.State, p.File, p.Detail, "", p.Hint)
	}
	return &exitStatus{code: code, printed: true, err: errors.New(fmt.Sprint("check found ", out.Code))}
}
