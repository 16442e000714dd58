package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

func (a *app) upCommand() *cobra.Command {
	var (
		to         string
		dryRun     bool
		outOfOrder bool
		resume     bool
		compatFile string
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Apply pending migrations in order",
		Long: `Apply every pending migration (up to --to) in version order, each in its own
transaction with its history row where the database allows. Prints one line per
file with its duration. Refuses (exit 3) when an applied file was edited or
removed, a pending file is older than the newest applied one, or a file failed
half-way. --dry-run prints the plan instead (see strata plan).`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			opts, err := planOptions(to, resume, a.phase)
			if err != nil {
				return err
			}
			if dryRun {
				return a.plan(cmd.Context(), opts, false, outOfOrder)
			}
			if compatFile != "" {
				// The gate: refuse before anything is applied (compat.go).
				if err := a.compat(cmd.Context(), compatFlags{queries: compatFile, plan: opts}, true); err != nil {
					return err
				}
			}
			return a.up(cmd.Context(), opts, outOfOrder)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "apply only up to this version (inclusive)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would run and change nothing (strata plan)")
	cmd.Flags().BoolVar(&outOfOrder, "allow-out-of-order", false, "also apply pending files older than the newest applied one")
	cmd.Flags().StringVar(&compatFile, "compat", "", "first check the deployed application's queries in this file against the pending files (strata compat --queries), and refuse (exit 16) when one would break")
	cmd.Flags().BoolVar(&resume, "resume", false, "continue files that stopped half-way from the statement after the last one that completed")
	phaseFlag(cmd, &a.phase, "apply only the pending files of this phase")
	return cmd
}

func planOptions(to string, resume bool, phase string) (strata.PlanOptions, error) {
	ph, err := parsePhase(phase)
	if err != nil {
		return strata.PlanOptions{}, err
	}
	opts := strata.PlanOptions{Resume: resume, Phase: ph}
	if to == "" {
		return opts, nil
	}
	v, err := source.ParseVersion(to)
	if err != nil {
		return opts, usage(fmt.Errorf("--to: %w", err))
	}
	opts.To = v
	return opts, nil
}

// jsonApplied is one applied file in `up --json` output.
type jsonApplied struct {
	Version       string `json:"version"`
	Name          string `json:"name"`
	File          string `json:"file"`
	DurationMS    int64  `json:"duration_ms"`
	Statements    int    `json:"statements"`
	Transactional bool   `json:"transactional"`
}

func (a *app) up(ctx context.Context, opts strata.PlanOptions, outOfOrder bool) error {
	start := time.Now()
	s, err := a.open(ctx, a.progress, strata.WithAllowOutOfOrder(outOfOrder))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := a.refuseOtherTool(ctx, s); err != nil {
		return err
	}
	p, err := s.m.Plan(ctx, opts)
	var res *strata.Result
	if err == nil {
		res, err = s.m.Apply(ctx, p)
	}
	if a.wantSummary() {
		a.summarize(func(w io.Writer) { mdUp(w, a.targetName(), res, time.Since(start), err, exitCode(ctx, err), a.scrub) })
	}
	if err != nil {
		return err
	}
	if a.wantJSON() {
		out := struct {
			Applied        []jsonApplied `json:"applied"`
			CurrentVersion string        `json:"current_version"`
			Ahead          []string      `json:"ahead"`
			LockWaitMS     int64         `json:"lock_wait_ms"`
			Phase          string        `json:"phase"`
			Skipped        []jsonSkipped `json:"skipped"`
		}{Applied: []jsonApplied{}, CurrentVersion: res.Current.String(), Ahead: aheadVersions(res.Ahead), LockWaitMS: res.LockWait.Milliseconds(),
			Phase: string(opts.Phase), Skipped: skippedJSON(p.Skipped)}
		for _, ap := range res.Applied {
			out.Applied = append(out.Applied, jsonApplied{Version: ap.Migration.ID(), Name: ap.Migration.Description,
				File: ap.File, DurationMS: ap.Duration.Milliseconds(), Statements: ap.Statements, Transactional: ap.Transactional})
		}
		a.result(out)
		if a.json {
			return nil
		}
	}
	var head source.Version
	if h := s.m.Dir().Head(); h != nil {
		head = h.Version
	}
	ahead := aheadDetail(head, res.Ahead)
	a.printSkipped(p)
	if w := waitingPost(p.Status); opts.Phase == "" && len(w) > 0 && !a.quiet && !a.json {
		fmt.Fprintf(a.stderr, "note: applied post-deploy %s %s below newer files (%s for its post-deploy run): in a deploy, run strata up --phase pre-deploy and --phase post-deploy instead (docs/phases.md)\n",
			pluralWord(len(w), "file", "files"), strings.Join(w, ", "), pluralWord(len(w), "it waited", "they waited"))
	}
	switch {
	case len(res.Applied) == 0 && ahead != "":
		a.printf("nothing to do: %s\n", ahead)
	case len(res.Applied) == 0:
		a.printf("nothing to do: %s\n", atVersion(res.Current))
	default:
		a.printf("applied %s in %s: %s\n", plural(len(res.Applied), "migration"), fmtDuration(time.Since(start)), atVersion(res.Current))
		if ahead != "" {
			a.printf("note: %s\n", ahead)
		}
	}
	return nil
}

// progress renders the library's events as plain lines: one per applied
// file, lock waits on stderr, and with --verbose each file and statement as
// it starts.
func (a *app) progress(e strata.Event) {
	if a.quiet || a.json {
		return
	}
	switch e.Kind {
	case strata.EventLockWaiting:
		holder := "another strata run"
		if e.Holder != "" {
			holder = e.Holder
		}
		fmt.Fprintf(a.stderr, "waiting for the migration lock, held by %s (%s so far; --lock-timeout %s)\n", a.scrub(holder), fmtDuration(e.Duration), a.lockTimeout)
	case strata.EventLockAcquired:
		if a.verbose {
			fmt.Fprintf(a.stdout, "took the migration lock after %s\n", fmtDuration(e.Duration))
		}
	case strata.EventMigrationStart:
		if a.verbose {
			doing, _ := verbs(e.Direction)
			fmt.Fprintf(a.stdout, "%s %s\n", doing, e.File)
		}
	case strata.EventStatementStart:
		if a.verbose && e.Statement != nil {
			first, _, more := strings.Cut(e.Statement.Text, "\n")
			if more {
				first += " ..."
			}
			fmt.Fprintf(a.stdout, "  %s:%d: %s\n", e.File, e.Statement.Line, first)
		}
	case strata.EventMigrationDone:
		_, done := verbs(e.Direction)
		fmt.Fprintf(a.stdout, "%s %s (%s)\n", done, e.File, fmtDuration(e.Duration))
	case strata.EventMigrationError:
		fmt.Fprintf(a.stdout, "failed %s (%s)\n", e.File, fmtDuration(e.Duration))
	case strata.EventEmptyMigration:
		fmt.Fprintln(a.stderr, emptyWarning(e.File))
	case strata.EventMigrationRetry:
		fmt.Fprintf(a.stdout, "retrying %s in %s (attempt %d of %d): it was rolled back after a lock timeout or deadlock\n", e.File, fmtDuration(e.Duration), e.Attempt, a.safe.retries+1)
	}
}

// emptyWarning is the warning for a file applied without statements.
func emptyWarning(file string) string {
	return fmt.Sprintf("warning: %s has no statements: it is recorded as applied, so strata will refuse later edits to it: write its SQL in a new file (strata new)", file)
}

// verbs says what is done to a file: a down file is rolled back, every
// other file applied.
func verbs(d strata.Direction) (doing, done string) {
	if d == strata.DirectionDown {
		return "rolling back", "rolled back"
	}
	return "applying", "applied"
}

func atVersion(v source.Version) string {
	if v.IsZero() {
		return "no migrations applied"
	}
	return "database is at version " + v.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// fmtDuration prints whole milliseconds below a second, and two decimals
// of a second above.
func fmtDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(10 * time.Millisecond).String()
}
