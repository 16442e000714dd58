package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// DefaultWaitTimeout is how long `strata wait` waits without --timeout or
// --wait.
const DefaultWaitTimeout = time.Minute

func (a *app) waitCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "wait",
		Short: "Wait until the database answers",
		Long: `Wait until the database server answers, retrying with exponential backoff
(with jitter) for up to --timeout (or --wait). Logs each failed attempt on
stderr with the error and the next delay. Gives up at once on errors that
waiting will not heal: authentication failed, a certificate that does not
verify. A database that does not exist still counts as up (the server
answered); strata up then says that it does not exist. Exit 0 when up, 6 when
the server did not answer in time or refused for good.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			a.set.requireURL = true // a pipeline command: no implicit local database
			d := timeout
			if !cmd.Flags().Changed("timeout") && a.rt.wait > 0 {
				d = a.rt.wait
			}
			if d <= 0 {
				return usage(fmt.Errorf("--timeout %s: give a positive duration", d))
			}
			return a.waitCmd(cmd.Context(), d)
		}),
	}
	cmd.Flags().DurationVar(&timeout, "timeout", DefaultWaitTimeout, "how long to wait for the database (default: --wait when given, else 1m)")
	return cmd
}

// jsonWait is `strata wait --json` output.
type jsonWait struct {
	URL            string `json:"url"`
	Attempts       int    `json:"attempts"`
	WaitedMS       int64  `json:"waited_ms"`
	DatabaseExists bool   `json:"database_exists"`
}

func (a *app) waitCmd(ctx context.Context, d time.Duration) error {
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return err
	}
	db, err := t.DB()
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	res, err := a.waitFor(ctx, t, db, d)
	if err != nil {
		return err
	}
	out := jsonWait{URL: t.Redacted, Attempts: res.Attempts, WaitedMS: time.Since(start).Milliseconds(), DatabaseExists: res.Err == nil}
	a.result(out)
	switch {
	case res.Err != nil:
		a.printf("the server is up, but database %q does not exist (%s): create it before strata up\n", t.DatabaseName(), t.Redacted)
	case res.Attempts == 1:
		a.printf("database is up: %s\n", t.Redacted)
	default:
		a.printf("database is up after %s (%d attempts): %s\n", fmtDuration(time.Since(start)), res.Attempts, t.Redacted)
	}
	return nil
}
