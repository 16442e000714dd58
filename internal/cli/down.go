package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

func (a *app) downCommand() *cobra.Command {
	var (
		to     string
		dryRun bool
		reason string
		yes    bool
	)
	cmd := &cobra.Command{
		Use:   "down [N | --to VERSION]",
		Short: "Roll back the newest applied migrations with their down files",
		Long: `Roll back the newest applied migration (or the newest N, or every one above
--to VERSION; --to 0 rolls back all of them) by running its NNNN_name.down.sql
file, newest first, under the migration lock. Each down file runs in a
transaction with the removal of its history row where the database allows;
otherwise (MySQL DDL) statement by statement with progress recorded. Prints one
line per file with its duration. Refuses (exit 3), before anything runs, when a
down file is missing, an up file was edited or removed since it was applied, or
a file stopped half-way. --dry-run prints the plan instead (strata plan --down).

--to 0 undoes everything, so it asks first: on a terminal it shows the files
and waits for "yes"; without a terminal (CI, a pipe) it refuses with exit 2
unless --yes is given.`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			opts, err := downOptions(args, to, reason)
			if err != nil {
				return err
			}
			if dryRun {
				return a.planDown(cmd.Context(), opts)
			}
			if undoesAll(opts) && !yes {
				return a.confirmDownAll(cmd.Context(), opts)
			}
			return a.down(cmd.Context(), opts)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "roll back every applied migration above this version (0: all of them); it stays applied")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print which down files would run and change nothing (strata plan --down)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, kept in the audit trail with each rolled-back version")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "with --to 0: roll back everything without asking")
	return cmd
}

func (a *app) redoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "redo",
		Short: "Roll back the newest applied migration and apply it again",
		Long: `Run the newest applied migration's down file, then the migration again, under
one hold of the migration lock: for iterating on the migration you are writing.
Refuses like down (exit 3) when it has no down file, was edited or a file
stopped half-way.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.redo(cmd.Context())
		}),
	}
}

// downOptions builds the library's options from `down [N] [--to VERSION]`.
func downOptions(args []string, to, reason string) (strata.DownOptions, error) {
	opts := strata.DownOptions{Reason: reason}
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			return opts, usage(fmt.Errorf("down %s: give the number of migrations to roll back (1 or more), or --to VERSION", args[0]))
		}
		opts.Steps = n
	}
	if to != "" {
		if opts.Steps > 0 {
			return opts, usage(errors.New("give either a number of migrations to roll back or --to VERSION, not both"))
		}
		v, err := source.ParseVersion(to)
		if err != nil {
			return opts, usage(fmt.Errorf("--to: %w", err))
		}
		opts.To = v
	}
	return opts, nil
}

func (a *app) down(ctx context.Context, opts strata.DownOptions) error {
	start := time.Now()
	s, err := a.open(ctx, a.progress)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.m.Down(ctx, opts)
	if err != nil {
		return err
	}
	if a.wantJSON() {
		a.result(struct {
			RolledBack     []jsonApplied `json:"rolled_back"`
			CurrentVersion string        `json:"current_version"`
			LockWaitMS     int64         `json:"lock_wait_ms"`
		}{jsonFiles(res.Applied), res.Current.String(), res.LockWait.Milliseconds()})
		if a.json {
			return nil
		}
	}
	if len(res.Applied) == 0 {
		a.printf("nothing to roll back: %s\n", atVersion(res.Current))
		return nil
	}
	a.printf("rolled back %s in %s: %s\n", plural(len(res.Applied), "migration"), fmtDuration(time.Since(start)), atVersion(res.Current))
	return nil
}

func (a *app) redo(ctx context.Context) error {
	start := time.Now()
	s, err := a.open(ctx, a.progress)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.m.Redo(ctx)
	if err != nil {
		return err
	}
	if a.wantJSON() {
		a.result(struct {
			RolledBack     []jsonApplied `json:"rolled_back"`
			Applied        []jsonApplied `json:"applied"`
			CurrentVersion string        `json:"current_version"`
			LockWaitMS     int64         `json:"lock_wait_ms"`
		}{jsonFiles(res.Down.Applied), jsonFiles(res.Up.Applied), res.Up.Current.String(), res.Up.LockWait.Milliseconds()})
		if a.json {
			return nil
		}
	}
	a.printf("redid %s in %s: %s\n", res.Up.Applied[0].Migration.ID(), fmtDuration(time.Since(start)), atVersion(res.Up.Current))
	return nil
}

// jsonFiles renders applied or rolled-back files for --json output.
func jsonFiles(files []strata.Applied) []jsonApplied {
	out := []jsonApplied{}
	for _, ap := range files {
		out = append(out, jsonApplied{Version: ap.Migration.ID(), Name: ap.Migration.Description,
			File: ap.File, DurationMS: ap.Duration.Milliseconds(), Statements: ap.Statements, Transactional: ap.Transactional})
	}
	return out
}

// planDown prints which down files a down run would run (down --dry-run,
// plan --down), changing nothing.
func (a *app) planDown(ctx context.Context, opts strata.DownOptions) error {
	a.set.readOnly = true // changes nothing: SQLite opens read-only
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.m.PlanDown(ctx, opts)
	if err != nil {
		return err
	}
	after := versionAfterDown(p)
	if a.wantJSON() {
		out := struct {
			Direction        string     `json:"direction"`
			Dialect          string     `json:"dialect"`
			TxMode           string     `json:"tx_mode"`
			TransactionalDDL bool       `json:"transactional_ddl"`
			CurrentVersion   string     `json:"current_version"`
			VersionAfter     string     `json:"version_after"`
			Steps            []jsonStep `json:"steps"`
		}{string(p.Direction), p.Dialect, string(p.TxMode), p.TransactionalDDL, p.Status.Current.String(), after.String(), []jsonStep{}}
		for _, st := range p.Steps {
			out.Steps = append(out.Steps, jsonStep{Version: st.Migration.ID(), Name: st.Migration.Description, File: st.File,
				Transactional: st.Transactional || p.TxMode == strata.TxAll, Reason: st.Reason, Statements: st.Statements})
		}
		a.result(out)
		if a.json {
			return nil
		}
	}
	if a.quiet {
		return nil
	}
	if len(p.Steps) == 0 {
		fmt.Fprintf(a.stdout, "nothing to roll back: %s\n", atVersion(p.Status.Current))
		return nil
	}
	fmt.Fprintf(a.stdout, "%s to roll back on %s (%s):\n", plural(len(p.Steps), "migration"), p.Dialect, atVersion(p.Status.Current))
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	mysqlNote := false
	for _, st := range p.Steps {
		how, implicit := howStepRuns(p.TxMode, p.TransactionalDDL, st.Migration.DownDirectives.NoTransaction, st)
		mysqlNote = mysqlNote || implicit
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", st.File, how, plural(st.Statements, "statement"))
	}
	tw.Flush()
	fmt.Fprintf(a.stdout, "afterwards: %s\n", atVersion(after))
	if mysqlNote {
		fmt.Fprintf(a.stdout, "note: %s commits DDL implicitly, so a down file with DDL cannot be rolled back: it runs statement by statement, with progress recorded after each one\n", p.Dialect)
	}
	return nil
}

// versionAfterDown is the highest applied version once p has run.
func versionAfterDown(p *strata.Plan) source.Version {
	gone := make(map[string]bool, len(p.Steps))
	for _, st := range p.Steps {
		gone[st.Migration.ID()] = true
	}
	var v source.Version
	for _, ms := range p.Status.Migrations {
		r := ms.Record
		if r == nil || r.Status != "applied" || r.Kind == "repeatable" || gone[ms.ID] {
			continue
		}
		if ms.Version.Compare(v) > 0 {
			v = ms.Version
		}
	}
	return v
}
