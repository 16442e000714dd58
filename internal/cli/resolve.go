package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
)

func (a *app) resolveCommand() *cobra.Command {
	var (
		applied, rolledBack, acceptEdit bool
		reason                          string
	)
	cmd := &cobra.Command{
		Use:   "resolve VERSION (--applied | --rolled-back | --accept-edit) --reason TEXT",
		Short: "Settle a migration that needs a human",
		Long: `Settle one migration by hand, under the migration lock, with an audit entry:
  --applied       a file that stopped half-way was completed by hand: mark it applied
  --rolled-back   what ran of it was undone by hand: forget the attempt, so up runs it again
  --accept-edit   an applied file was edited on purpose (comments, formatting): record its new checksum
--reason is required and kept in the audit trail.`,
		Args: cobra.ExactArgs(1),
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			var action strata.ResolveAction
			n := 0
			for _, f := range []struct {
				set bool
				a   strata.ResolveAction
			}{{applied, strata.ResolveApplied}, {rolledBack, strata.ResolveRolledBack}, {acceptEdit, strata.ResolveAcceptEdit}} {
				if f.set {
					action, n = f.a, n+1
				}
			}
			if n != 1 {
				return usage(errors.New("give exactly one of --applied, --rolled-back or --accept-edit"))
			}
			return a.resolve(cmd.Context(), strata.ResolveOptions{Version: args[0], Action: action, Reason: reason})
		}),
	}
	cmd.Flags().BoolVar(&applied, "applied", false, "mark a file that stopped half-way as applied (you completed it by hand)")
	cmd.Flags().BoolVar(&rolledBack, "rolled-back", false, "forget a file's failed attempt (you undid what ran by hand)")
	cmd.Flags().BoolVar(&acceptEdit, "accept-edit", false, "accept the current content of an applied, edited file")
	cmd.Flags().StringVar(&reason, "reason", "", "why (required; kept in the audit trail)")
	return cmd
}

func (a *app) resolve(ctx context.Context, opts strata.ResolveOptions) error {
	s, err := a.open(ctx, a.progress)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.m.Resolve(ctx, opts)
	if err != nil {
		return resolveReasonError(opts, err)
	}
	if a.wantJSON() {
		a.result(map[string]string{"version": res.ID, "old_state": string(res.OldState), "new_state": string(res.NewState),
			"old_checksum": res.OldChecksum, "new_checksum": res.NewChecksum})
		if a.json {
			return nil
		}
	}
	a.printf("resolved %s: %s -> %s\n", res.ID, res.OldState, res.NewState)
	if res.NewState == strata.StatePending {
		a.printf("strata up will run it again from its start\n")
	}
	return nil
}

// resolveUsage reports errors of resolve that are mistakes in the request.
func resolveUsage(err error) bool {
	var uv *strata.UnknownVersionError
	return errors.Is(err, strata.ErrReasonRequired) || errors.Is(err, strata.ErrReasonPlaceholder) || errors.As(err, &uv)
}

// resolveReasonError names the command's flags when the reason was
// refused: "cannot resolve 2 --applied: a reason is required ...".
func resolveReasonError(opts strata.ResolveOptions, err error) error {
	var rsn *strata.ReasonError
	switch {
	case errors.As(err, &rsn):
		return fmt.Errorf("cannot resolve %s --%s: %w", opts.Version, opts.Action, rsn)
	case errors.Is(err, strata.ErrReasonRequired):
		return fmt.Errorf("cannot resolve %s --%s: %w", opts.Version, opts.Action, strata.ErrReasonRequired)
	}
	return err
}
