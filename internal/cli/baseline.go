package cli

import (
	"context"
	"fmt"
	"path"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

func (a *app) baselineCommand() *cobra.Command {
	var (
		reason string
		force  bool
	)
	cmd := &cobra.Command{
		Use:   "baseline VERSION [--reason TEXT] [--force]",
		Short: "Record migrations up to VERSION as applied without running them",
		Long: `Record every migration up to VERSION as applied without running it, for a
database whose schema was built by hand or by another tool; strata up then
starts after VERSION. Each row has kind baseline and 0 statements, and each gets
an audit entry, all in one transaction under the migration lock. Refuses (exit
3) when the history already has rows, unless --force, which records only the
versions that have none. VERSION must be a file in the folder (exit 2 if not).`,
		Args: cobra.ExactArgs(1),
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			v, err := source.ParseVersion(args[0])
			if err != nil {
				return usage(fmt.Errorf("baseline %s: %w", args[0], err))
			}
			return a.baseline(cmd.Context(), strata.BaselineOptions{Version: v, Reason: reason, Force: force})
		}),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, kept in the audit trail")
	cmd.Flags().BoolVar(&force, "force", false, "baseline although the history has rows: record only the versions that have none")
	return cmd
}

func (a *app) baseline(ctx context.Context, opts strata.BaselineOptions) error {
	s, err := a.open(ctx, a.progress)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.m.Baseline(ctx, opts)
	if err != nil {
		return err
	}
	if a.wantJSON() {
		a.result(struct {
			Version    string   `json:"version"`
			Recorded   []string `json:"recorded"`
			Skipped    []string `json:"skipped"`
			LockWaitMS int64    `json:"lock_wait_ms"`
		}{opts.Version.String(), nonNil(res.Recorded), nonNil(res.Skipped), res.LockWait.Milliseconds()})
		if a.json {
			return nil
		}
	}
	for _, id := range res.Recorded {
		a.printf("baselined %s (recorded as applied, not run)\n", a.fileOf(s.m, id))
	}
	for _, id := range res.Skipped {
		a.printf("skipped %s: it already has a history row\n", a.fileOf(s.m, id))
	}
	a.printf("baseline %s: recorded %s as applied; strata up starts after it\n", opts.Version, plural(len(res.Recorded), "migration"))
	return nil
}

// fileOf names the file of migration id as messages show it.
func (a *app) fileOf(m *strata.Migrator, id string) string {
	v, err := source.ParseVersion(id)
	if err != nil {
		return id
	}
	if mig := m.Dir().Find(v); mig != nil {
		return path.Join(a.dir, mig.Path)
	}
	return id
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
