package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

// phaseFlag gives cmd the --phase flag (docs/phases.md).
func phaseFlag(cmd *cobra.Command, p *string, what string) {
	cmd.Flags().StringVar(p, "phase", "", what+": pre-deploy (before the rollout) or post-deploy (after it); default: every file")
}

// parsePhase parses --phase; "" is no phase.
func parsePhase(s string) (source.Phase, error) {
	if s == "" {
		return "", nil
	}
	p, err := source.ParsePhase(s)
	if err != nil {
		return "", usage(fmt.Errorf("--phase: %w", err))
	}
	return p, nil
}

// jsonSkipped is a pending file of the other phase in plan and up JSON.
type jsonSkipped struct {
	Version string `json:"version"`
	File    string `json:"file"`
	Phase   string `json:"phase"`
	Behind  bool   `json:"behind"`
}

func skippedJSON(sk []strata.PhaseSkip) []jsonSkipped {
	out := make([]jsonSkipped, 0, len(sk))
	for _, s := range sk {
		out = append(out, jsonSkipped{Version: s.ID, File: s.File, Phase: string(s.Phase), Behind: s.Behind})
	}
	return out
}

// printSkipped names the pending files a phased run leaves alone, and
// warns about post-deploy files a later release's pre-deploy files passed.
func (a *app) printSkipped(p *strata.Plan) {
	if a.quiet || a.json || p == nil || len(p.Skipped) == 0 {
		return
	}
	var files, behind []string
	for _, s := range p.Skipped {
		files = append(files, s.File)
		if s.Behind {
			behind = append(behind, s.File)
		}
	}
	other := source.PostDeploy
	if p.Phase == source.PostDeploy {
		other = source.PreDeploy
	}
	a.printf("skipped %s (%s, not this phase): %s\n", plural(len(files), "pending file"), other, strings.Join(files, ", "))
	if len(behind) > 0 {
		fmt.Fprintf(a.stderr, "warning: post-deploy %s %s still pending below newer pre-deploy files: run strata up --phase post-deploy once the release that brought %s is rolled out\n",
			pluralWord(len(behind), "file", "files"), strings.Join(behind, ", "), pluralWord(len(behind), "it", "them"))
	}
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// phaseOrderText words a *strata.PhaseOrderError for the command line.
func phaseOrderText(e *strata.PhaseOrderError) string {
	files := make([]string, len(e.Pending))
	for i, p := range e.Pending {
		files[i] = p.File
	}
	return fmt.Sprintf("refusing to run the post-deploy phase: %s must not run before the pre-deploy %s %s, still pending: run strata up --phase pre-deploy first (and roll out the release), then this again",
		e.File, pluralWord(len(files), "file", "files"), strings.Join(files, ", "))
}

// phaseDone reports whether every file of phase is applied (phase "":
// every file), for check --phase and await --phase, with the files that
// are not.
func phaseDone(st *strata.Status, phase source.Phase) (bool, []string) {
	var waiting []string
	for _, ms := range st.Migrations {
		if ms.Migration == nil || (phase != "" && ms.Phase != phase) {
			continue
		}
		switch ms.State {
		case strata.StateApplied, strata.StateEdited:
		default:
			waiting = append(waiting, ms.File)
		}
	}
	return len(waiting) == 0, waiting
}

// isPhaseOrder reports a post-deploy run refused for pending pre-deploy files.
func isPhaseOrder(err error) bool {
	var e *strata.PhaseOrderError
	return errors.As(err, &e)
}

// narrowPhase is st limited to the files of phase (st itself when phase
// is ""), for check --phase: its findings and pending count are those of
// that phase's files only.
func narrowPhase(st *strata.Status, phase source.Phase) *strata.Status {
	if phase == "" || st == nil {
		return st
	}
	n := *st
	n.Migrations, n.Pending = nil, 0
	for _, ms := range st.Migrations {
		if ms.Phase != phase {
			continue
		}
		n.Migrations = append(n.Migrations, ms)
		switch ms.State {
		case strata.StatePending, strata.StateOutOfOrder, strata.StateRunning, strata.StateFailed,
			strata.StatePartial, strata.StateInterrupted:
			n.Pending++
		}
	}
	return &n
}

// phaseReached reports whether every file of phase is applied (true for
// no phase).
func phaseReached(st *strata.Status, phase source.Phase) bool {
	if phase == "" {
		return true
	}
	done, _ := phaseDone(st, phase)
	return done
}

// postDeployTemplate follows upTemplate in a post-deploy file.
const postDeployTemplate = `-- This is a post-deploy (contract) file: strata up --phase pre-deploy skips
-- it, and strata up --phase post-deploy runs it once the new release is
-- rolled out, so it may drop or rename what the previous release used.
`

// postDeployFile is the folder and content of a file new --post-deploy
// writes: in the post-deploy folder when it exists, else in --dir with
// the directive.
func (a *app) postDeployFile(content string) (folder, text string) {
	sub := filepath.Join(a.dir, filepath.FromSlash(a.postDir))
	if fi, err := os.Stat(a.path(sub)); err == nil && fi.IsDir() && a.postDir != "" {
		return sub, postDeployTemplate + "--\n" + content
	}
	return a.dir, "-- strata:phase post-deploy\n" + postDeployTemplate + "--\n" + content
}

// waitingPost lists the pending post-deploy files numbered below the
// highest applied version: a later release's pre-deploy files passed them
// while they waited for their post-deploy run.
func waitingPost(st *strata.Status) []string {
	var out []string
	for _, ms := range st.Migrations {
		if ms.Phase == source.PostDeploy && ms.State == strata.StatePending && ms.Kind == string(source.Versioned) &&
			ms.Version.Compare(st.Current) < 0 {
			out = append(out, ms.File)
		}
	}
	return out
}
