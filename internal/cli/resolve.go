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
		applied, rolledBack, acceptEdit, acceptDrift bool
		reason                                       string
	)
	cmd := &cobra.Command{
		Use:   "resolve (VERSION (--applied | --rolled-back | --accept-edit) | --accept-drift) --reason TEXT",
		Short: "Settle a migration that needs a human",
		Long: `Settle one migration by hand, under the migration lock, with an audit entry:
  --applied       a file that stopped half-way was completed by hand: mark it applied
  --rolled-back   what ran of it was undone by hand: forget the attempt, so up runs it again
  --accept-edit   an applied file was edited on purpose (comments, formatting): record its new checksum
  --accept-drift  (no VERSION) the schema was changed by hand and the change is kept: record the
                  live schema as the new snapshot, so up no longer refuses (see strata drift)
--reason is required and kept in the audit trail.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if drift, _ := cmd.Flags().GetBool("accept-drift"); drift {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			if acceptDrift {
				if applied || rolledBack || acceptEdit {
					return usage(errors.New("--accept-drift takes no VERSION and no other action: strata resolve --accept-drift --reason TEXT"))
				}
				return a.acceptDrift(cmd.Context(), reason)
			}
			if len(args) != 1 {
				return usage(errors.New("give the VERSION to resolve, or --accept-drift"))
			}
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
	cmd.Flags().BoolVar(&acceptDrift, "accept-drift", false, "record the live schema as the new snapshot (a change made by hand is kept)")
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

func (a *app) acceptDrift(ctx context.Context, reason string) error {
	s, err := a.open(ctx, a.progress)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.m.AcceptDrift(ctx, reason)
	if err != nil {
		var rsn *strata.ReasonError
		switch {
		case errors.As(err, &rsn):
			return fmt.Errorf("cannot resolve --accept-drift: %w", rsn)
		case errors.Is(err, strata.ErrReasonRequired):
			return fmt.Errorf("cannot resolve --accept-drift: %w", strata.ErrReasonRequired)
		}
		return schemaErr(err)
	}
	out := map[string]any{"accepted": len(res.Changes), "version": res.Recorded.Version, "hash": res.Recorded.Hash, "changes": res.Changes}
	if res.Previous != nil {
		out["old_hash"] = res.Previous.Hash
	}
	a.result(out)
	a.printf("recorded the live schema as the snapshot at version %s (%s accepted)\n", orNone(res.Recorded.Version), plural(len(res.Changes), "change"))
	a.printChanges(res.Changes)
	return nil
}
