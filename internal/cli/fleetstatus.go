package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/strata-db/strata/internal/fleet"
	"github.com/strata-db/strata/source"
)

// jsonFleetStatus is the --json document of status and check on a fleet.
type jsonFleetStatus struct {
	Fleet    int                    `json:"fleet"`
	Shard    string                 `json:"shard,omitempty"`
	Total    int                    `json:"total"`
	Versions map[string]int         `json:"versions"` // targets per current version ("" for none applied)
	States   map[string]int         `json:"states"`   // targets per state
	Targets  []jsonFleetStateTarget `json:"targets"`
	// For check: the fleet's verdict, the most severe finding.
	OK       *bool  `json:"ok,omitempty"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Code     string `json:"code,omitempty"`
}

// jsonFleetStateTarget is one target's state: ok, one of check's
// findings (pending, edited, missing, out_of_order, incomplete), or error
// when it could not be read.
type jsonFleetStateTarget struct {
	Target         string        `json:"target"`
	URL            string        `json:"url"`
	State          string        `json:"state"`
	CurrentVersion string        `json:"current_version"`
	HeadVersion    string        `json:"head_version"`
	Ahead          []string      `json:"ahead"` // versions applied above head_version (state ok: ahead of the folder)
	Pending        int           `json:"pending"`
	Problems       []jsonProblem `json:"problems"`
	Error          *jsonError    `json:"error"`
}

// fleetReport says what statusDone reports for: status, check, or up
// --dry-run.
type fleetReport int

const (
	reportStatus fleetReport = iota
	reportCheck
	reportDryRun
)

// statusDone prints status (or check, or up --dry-run) of a fleet: how
// many targets at each version, and each target's state. status exits 0
// unless a target could not be read; check exits with the most severe
// finding; a dry run exits 3 (drift) when up would refuse on a target.
func (v *fleetView) statusDone(ctx context.Context, out []fleet.Outcome, mode fleetReport, allowOutOfOrder bool) error {
	check := mode == reportCheck
	a := v.a
	d := jsonFleetStatus{Fleet: v.all, Shard: v.shard, Total: len(out), Versions: map[string]int{}, States: map[string]int{}, Targets: []jsonFleetStateTarget{}}
	found := map[int]bool{}
	unreadable := 0
	for _, o := range out {
		jt := jsonFleetStateTarget{Target: o.Target.Name, URL: o.Target.URL, Ahead: []string{}, Problems: []jsonProblem{}}
		if o.Err != nil || o.Status == nil {
			unreadable++
			jt.State = "error"
			code := exitCode(ctx, o.Err)
			jt.Error = &jsonError{Code: errorCodes[code], ExitCode: code, Message: a.scrub(fmt.Sprint(o.Err))}
		} else {
			st := o.Status
			if check {
				st = narrowPhase(st, source.Phase(a.phase))
			}
			code := checkCode(st, a.failIfAhead)
			found[code] = true
			jt.State, jt.CurrentVersion, jt.HeadVersion, jt.Pending = "ok", st.Current.String(), st.Head.String(), st.Pending
			jt.Ahead = aheadVersions(st.Ahead)
			if code != ExitOK {
				jt.State = errorCodes[code]
			}
			for _, p := range a.problems(st, false) {
				jt.Problems = append(jt.Problems, jsonProblem{State: string(p.Kind), Version: p.Version, File: p.File, Detail: a.scrub(p.Detail), Hint: problemHint(p)})
			}
			d.Versions[jt.CurrentVersion]++
		}
		d.States[jt.State]++
		d.Targets = append(d.Targets, jt)
	}
	code := ExitOK
	if check {
		for _, c := range checkCodes {
			if found[c.code] {
				code = c.code
				break
			}
		}
	}
	refused, pending := 0, 0
	if mode == reportDryRun {
		for _, o := range out {
			if o.Err == nil && o.Status != nil {
				pending += o.Status.Pending
				if len(a.problems(o.Status, allowOutOfOrder)) > 0 {
					refused++
				}
			}
		}
		if refused > 0 {
			code = ExitDrift
		}
	}
	if unreadable > 0 {
		code = ExitFleetFailed
	}
	if check {
		ok := code == ExitOK
		d.OK, d.ExitCode, d.Code = &ok, &code, errorCodes[code]
	}
	if a.wantJSON() {
		a.result(d)
	}
	if !a.json && !a.quiet {
		v.printStates(d)
		if mode == reportDryRun {
			fmt.Fprintf(a.stdout, "dry run: nothing was changed; up would apply %s on %s and refuse on %s\n",
				plural(pending, "file"), plural(len(out)-unreadable-refused, "target"), plural(refused, "target"))
		}
	}
	if code == ExitOK {
		return nil
	}
	msg := fmt.Sprintf("%d of %d targets could not be read", unreadable, len(out))
	switch {
	case code == ExitFleetFailed:
	case mode == reportDryRun:
		msg = fmt.Sprintf("up would refuse on %s of %d: see each target's problem", plural(refused, "target"), len(out))
	default:
		msg = fmt.Sprintf("check found %s on the fleet", errorCodes[code])
	}
	if unreadable > 0 {
		fmt.Fprintf(a.stderr, "error: %s: see each target's error\n", msg)
	}
	return fleetError(ctx, code, msg)
}

// printStates prints a table of the targets and the counts per version and
// per state.
func (v *fleetView) printStates(d jsonFleetStatus) {
	w := v.a.stdout
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tVERSION\tPENDING\tSTATE\tPROBLEM")
	for _, t := range d.Targets {
		problem := "-"
		switch {
		case t.Error != nil:
			problem = firstLine(t.Error.Message)
		case len(t.Problems) > 0:
			problem = t.Problems[0].File + ": " + firstLine(t.Problems[0].Detail)
		case len(t.Ahead) > 0:
			problem = "ahead of the folder: " + strings.Join(t.Ahead, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", t.Target, orDash(t.CurrentVersion), t.Pending, t.State, problem)
	}
	tw.Flush()
	head := fmt.Sprintf("\n%s", plural(d.Total, "target"))
	if v.shard != "" {
		head += fmt.Sprintf(" (shard %s of a fleet of %d)", v.shard, d.Fleet)
	}
	fmt.Fprintf(w, "%s: %s\n", head, strings.Join(versionCounts(d.Versions), ", "))
	states := make([]string, 0, len(d.States))
	for s, n := range d.States {
		states = append(states, fmt.Sprintf("%d %s", n, s))
	}
	sort.Slice(states, func(i, j int) bool { return stateRank(states[i]) < stateRank(states[j]) })
	fmt.Fprintf(w, "states: %s\n", strings.Join(states, ", "))
	if d.Code != "" {
		fmt.Fprintf(w, "check: %s (exit %d)\n", d.Code, *d.ExitCode)
	}
}

// stateRank orders "N state" strings: ok first, then by severity.
func stateRank(s string) int {
	_, state, _ := strings.Cut(s, " ")
	for i, name := range []string{"ok", "pending", "out_of_order", "edited", "missing", "incomplete", "error"} {
		if state == name {
			return i
		}
	}
	return 99
}
