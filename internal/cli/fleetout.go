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

// fleetView renders a fleet run: progress on stderr (a live line on a
// terminal, a plain line per finished target otherwise), then a table or
// the JSON document on stdout.
type fleetView struct {
	a     *app
	cmd   string // up, status or check
	shard string // --shard, or ""
	all   int    // targets in the fleet, before --shard
	live  bool   // stderr is a terminal: redraw one line
	drawn bool   // the live line is on the screen
}

// progress is the fleet's Progress callback.
func (v *fleetView) progress(p fleet.Progress) {
	a := v.a
	if a.quiet {
		return
	}
	if v.live {
		fmt.Fprintf(a.stderr, "\r\033[K%s", v.counts(p))
		v.drawn = true
		return
	}
	o := p.Finished
	if o == nil {
		return
	}
	detail := ""
	switch {
	case o.Err != nil:
		detail = ": " + firstLine(a.scrub(cliErrorText(o.Err)))
	case v.cmd == "up":
		detail = fmt.Sprintf(": %s, applied %d", atVersion(o.Version), o.Applied)
	default:
		detail = ": " + atVersion(o.Version)
	}
	fmt.Fprintf(a.stderr, "[%d/%d] %s %s (%s)%s\n", p.Done, p.Total, o.Result, o.Target.Name, fmtDuration(o.Duration), detail)
}

func (v *fleetView) counts(p fleet.Progress) string {
	return fmt.Sprintf("strata %s: %d/%d done, %d failed, %d running", v.cmd, p.Done, p.Total, p.Failed, p.Running)
}

// endLive ends the live progress line.
func (v *fleetView) endLive() {
	if v.drawn {
		fmt.Fprintln(v.a.stderr)
	}
}

// jsonFleet is the --json document of a fleet run.
type jsonFleet struct {
	Fleet   int               `json:"fleet"` // targets before --shard
	Shard   string            `json:"shard,omitempty"`
	Total   int               `json:"total"` // targets in this run
	OK      int               `json:"ok"`
	Failed  int               `json:"failed"`
	Skipped int               `json:"skipped"`
	Targets []jsonFleetTarget `json:"targets"`
}

// jsonFleetTarget is one target's outcome.
type jsonFleetTarget struct {
	Target         string     `json:"target"`
	URL            string     `json:"url"`
	Outcome        string     `json:"outcome"` // ok, failed or skipped
	CurrentVersion string     `json:"current_version"`
	Ahead          []string   `json:"ahead"` // versions applied above the folder's newest file
	Applied        int        `json:"applied"`
	DurationMS     int64      `json:"duration_ms"`
	Error          *jsonError `json:"error"`
}

func (v *fleetView) doc(ctx context.Context, out []fleet.Outcome) jsonFleet {
	d := jsonFleet{Fleet: v.all, Shard: v.shard, Total: len(out), Targets: []jsonFleetTarget{}}
	d.OK, d.Failed, d.Skipped = fleet.Count(out)
	for _, o := range out {
		jt := jsonFleetTarget{Target: o.Target.Name, URL: o.Target.URL, Outcome: string(o.Result),
			CurrentVersion: o.Version.String(), Ahead: aheadVersions(o.Ahead), Applied: o.Applied, DurationMS: o.Duration.Milliseconds()}
		if o.Err != nil {
			code := exitCode(ctx, o.Err)
			if o.Result == fleet.Skipped {
				code = ExitFailure
			}
			jt.Error = &jsonError{Code: errorCodes[code], ExitCode: code, Message: v.a.scrub(cliErrorText(o.Err))}
		}
		d.Targets = append(d.Targets, jt)
	}
	return d
}

// upDone prints the outcome of `up` on a fleet and returns the error that
// sets the exit code when a target failed or was skipped.
func (v *fleetView) upDone(ctx context.Context, out []fleet.Outcome) error {
	a := v.a
	d := v.doc(ctx, out)
	if a.wantJSON() {
		a.result(d)
	}
	if !a.json && !a.quiet {
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TARGET\tOUTCOME\tVERSION\tAPPLIED\tDURATION\tERROR")
		for _, t := range d.Targets {
			msg := "-"
			switch {
			case t.Error != nil:
				msg = firstLine(t.Error.Message)
			case len(t.Ahead) > 0:
				msg = "nothing to do: ahead of the folder by " + strings.Join(t.Ahead, ", ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%dms\t%s\n", t.Target, t.Outcome, orDash(t.CurrentVersion), t.Applied, t.DurationMS, msg)
		}
		tw.Flush()
		fmt.Fprintf(a.stdout, "\n%s\n", v.summary(d))
	}
	if d.Failed == 0 && d.Skipped == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d targets failed and %d were not started: see each target's error above", d.Failed, d.Total, d.Skipped)
	if a.json {
		msg = fmt.Sprintf("%d of %d targets failed and %d were not started: see each target's error in the JSON output", d.Failed, d.Total, d.Skipped)
	}
	fmt.Fprintf(a.stderr, "error: %s\n", msg)
	return fleetError(ctx, ExitFleetFailed, msg)
}

func (v *fleetView) summary(d jsonFleet) string {
	s := fmt.Sprintf("%s: %d ok, %d failed, %d skipped", plural(d.Total, "target"), d.OK, d.Failed, d.Skipped)
	if v.shard != "" {
		s += fmt.Sprintf(" (shard %s of a fleet of %d)", v.shard, d.Fleet)
	}
	return s
}

func firstLine(s string) string {
	first, _, more := strings.Cut(s, "\n")
	if more {
		first += " ..."
	}
	return first
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// versionCounts orders a count of targets per version, highest version
// first; "" (nothing applied) comes last.
func versionCounts(byVersion map[string]int) []string {
	keys := make([]string, 0, len(byVersion))
	for k := range byVersion {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		vi, _ := source.ParseVersion(keys[i])
		vj, _ := source.ParseVersion(keys[j])
		if keys[i] == "" || keys[j] == "" {
			return keys[j] == ""
		}
		return vi.Compare(vj) > 0
	})
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			out = append(out, fmt.Sprintf("%s with nothing applied", plural(byVersion[k], "target")))
			continue
		}
		out = append(out, fmt.Sprintf("%d at version %s", byVersion[k], k))
	}
	return out
}
