package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
)

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show every migration and whether it is applied",
		Long: `Print every migration in the folder and the history table: version, file,
state (applied, pending, edited, missing, out_of_order, failed, partial,
running, interrupted, ahead), when it was applied and how long it took.
Applied migrations newer than the folder's newest file are ahead: a newer
release migrated the database (nothing to do, unless --fail-if-ahead).
Changes nothing and takes no lock. --json prints one object with
current_version, pending, ahead and migrations (each with its phase:
pre-deploy or post-deploy, see docs/phases.md).`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.status(cmd.Context())
		}),
	}
}

// jsonMigration is one migration in `status --json` output.
type jsonMigration struct {
	Version    string  `json:"version"`
	Name       string  `json:"name"`
	File       string  `json:"file"`
	State      string  `json:"state"`
	Phase      string  `json:"phase"`
	Checksum   string  `json:"checksum"`
	AppliedAt  *string `json:"applied_at"`
	DurationMS int64   `json:"duration_ms"`
	Error      *string `json:"error"`
	// Progress of a file that runs outside a transaction; LastLine and
	// NextLine (the lines of the last statement that completed and of the
	// next one) are set for failed, partial and interrupted files.
	StatementsApplied int `json:"statements_applied"`
	StatementsTotal   int `json:"statements_total"`
	LastLine          int `json:"last_line,omitempty"`
	NextLine          int `json:"next_line,omitempty"`
	// Executing names the connection a running file's statement still
	// executes on although its run may be gone (docs/safety.md).
	Executing string `json:"executing,omitempty"`
}

func (a *app) status(ctx context.Context) error {
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
	if a.wantJSON() {
		a.result(statusJSON{st: st, scrub: a.scrub})
		if a.json {
			return nil
		}
	}
	if a.quiet {
		return nil
	}
	if len(st.Migrations) == 0 {
		fmt.Fprintf(a.stdout, "no migrations in %s and none recorded in the history table\n", a.dir)
		return nil
	}
	// tabwriter writes every cell separately: buffer them.
	out := bufio.NewWriterSize(a.stdout, 64<<10)
	defer out.Flush()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tFILE\tSTATE\tPHASE\tAPPLIED AT\tDURATION")
	for _, ms := range st.Migrations {
		at, dur := "-", "-"
		if ms.Record != nil {
			at = ms.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			dur = fmtDuration(ms.Duration)
		}
		state := string(ms.State)
		switch ms.State {
		case strata.StatePartial, strata.StateFailed, strata.StateRunning, strata.StateInterrupted:
			state += fmt.Sprintf(" (%d/%d statements)", ms.StatementsApplied, ms.StatementsTotal)
			if ms.Executing != "" {
				state += fmt.Sprintf(" (statement still executing on %s)", ms.Executing)
			}
		}
		phase := string(ms.Phase)
		if phase == "" {
			phase = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ms.ID, ms.File, state, phase, at, dur)
	}
	tw.Flush()
	fmt.Fprintf(out, "\n%s; %s pending\n", atVersion(st.Current), fmt.Sprint(st.Pending))
	if d := st.AheadDetail(); d != "" && !a.failIfAhead {
		fmt.Fprintf(out, "note: %s; up does nothing here, and down refuses those versions: run them from the release that has their files\n", d)
	}
	if w := waitingPost(st); len(w) > 0 {
		fmt.Fprintf(out, "note: post-deploy %s %s pending below newer applied files: run strata up --phase post-deploy once the release that needs %s is rolled out\n",
			pluralWord(len(w), "file", "files"), strings.Join(w, ", "), pluralWord(len(w), "it", "them"))
	}
	for _, p := range a.problems(st, false) {
		fmt.Fprintf(out, "problem: %s: %s\n  fix: %s\n", p.File, a.scrub(p.Detail), problemHint(p))
	}
	if len(st.InvalidIndexes) > 0 {
		fmt.Fprintf(out, "invalid indexes (a failed CREATE INDEX CONCURRENTLY leaves one): %s\n  fix: drop each with DROP INDEX CONCURRENTLY, then run the file again\n", strings.Join(st.InvalidIndexes, ", "))
	}
	return nil
}
