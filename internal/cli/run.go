package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/launch"
	"github.com/strata-db/strata/source"
)

// command resolves the application after --, refusing arguments before it.
func command(cmd *cobra.Command, args []string, required bool) (*launch.Command, error) {
	if dash := cmd.ArgsLenAtDash(); dash > 0 || dash < 0 && len(args) > 0 {
		return nil, usage(fmt.Errorf("put the command after --, as in strata %s -- ./server --port 8080", cmd.Name()))
	}
	if len(args) == 0 && !required {
		return nil, nil
	}
	c, err := launch.Resolve(args)
	if err != nil {
		return nil, usage(err)
	}
	return c, nil
}

// start replaces strata with the application, after writing the report.
func (a *app) start(c *launch.Command) error {
	if err := a.writeReport(); err != nil {
		return err
	}
	if err := a.endTelemetry(ExitOK); err != nil {
		return err
	}
	a.logger().Info("starting the application", "command", c.Path)
	env := a.rt.environ
	if !a.rt.keepCredentials {
		env = config.WithoutCredentials(env)
	}
	if a.rt.exec != nil {
		return a.rt.exec(c, env)
	}
	return c.Exec(env)
}

// keepCredentialsFlag registers --keep-credentials-env on a command that
// starts an application.
func (a *app) keepCredentialsFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&a.rt.keepCredentials, "keep-credentials-env", false, "pass strata's own credential variables (STRATA_DATABASE_URL, STRATA_DB_PASSWORD, STRATA_PASSWORD_FILE, ...) on to COMMAND; by default they are removed from its environment")
}

func (a *app) runCommand() *cobra.Command {
	var (
		to         string
		outOfOrder bool
	)
	cmd := &cobra.Command{
		Use:   "run [flags] -- COMMAND [ARGS...]",
		Short: "Migrate, then become the application (container entrypoint)",
		Long: `Entrypoint mode: wait for the database (with --wait), take the migration lock,
apply pending migrations, release the lock, then replace strata with COMMAND
(found on PATH), which keeps strata's PID and environment and so receives the
container's signals itself. strata's own credential variables
(STRATA_DATABASE_URL[_FILE], STRATA_DB_PASSWORD, STRATA_PASSWORD_FILE,
STRATA_PASSWORD_COMMAND) are removed from COMMAND's environment unless
--keep-credentials-env is given; DATABASE_URL, usually the application's own,
is passed on. When nothing is pending the command starts at once,
without taking the lock. When migrating fails strata exits with its exit code
and the command is never started.`,
		Args: cobra.ArbitraryArgs,
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			a.set.requireURL = true // a pipeline command: no implicit local database
			c, err := command(cmd, args, true)
			if err != nil {
				return err
			}
			opts, err := planOptions(to, false, a.phase)
			if err != nil {
				return err
			}
			if err := a.up(cmd.Context(), opts, outOfOrder); err != nil {
				return err
			}
			return a.start(c)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "apply only up to this version (inclusive)")
	cmd.Flags().BoolVar(&outOfOrder, "allow-out-of-order", false, "also apply pending files older than the newest applied one")
	phaseFlag(cmd, &a.phase, "apply only the pending files of this phase before starting COMMAND")
	a.keepCredentialsFlag(cmd)
	return cmd
}

// DefaultAwaitTimeout is how long `strata await` waits without --timeout.
const DefaultAwaitTimeout = 10 * time.Minute

func (a *app) awaitCommand() *cobra.Command {
	var (
		version  string
		timeout  time.Duration
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "await [--version V] [--timeout D] [-- COMMAND [ARGS...]]",
		Short: "Wait until migrations run elsewhere reach a version, then exit or start COMMAND",
		Long: `For an application whose migrations are run by something else (a job, another
container): poll the history table, read-only and without the lock, until the
database has applied --version (default: the newest file in --dir), then exit 0
or replace strata with COMMAND. A database ahead of the folder (a newer release
migrated it) has reached every version in it. With --phase it waits until
every file of that phase is applied (await --phase pre-deploy: the expand
step is done; docs/phases.md). Waits for the database itself too. Exits 7 when
--timeout passes first.`,
		Args: cobra.ArbitraryArgs,
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			a.set.requireURL = true // a pipeline command: no implicit local database
			c, err := command(cmd, args, false)
			if err != nil {
				return err
			}
			var want source.Version
			if version != "" {
				if want, err = source.ParseVersion(version); err != nil {
					return usage(fmt.Errorf("--version: %w", err))
				}
			}
			if timeout <= 0 || interval <= 0 {
				return usage(errors.New("--timeout and --interval must be positive durations"))
			}
			phase, err := parsePhase(a.phase)
			if err != nil {
				return err
			}
			if err := a.await(cmd.Context(), want, phase, timeout, interval); err != nil {
				return err
			}
			if c == nil {
				return nil
			}
			return a.start(c)
		}),
	}
	cmd.Flags().StringVar(&version, "version", "", "the version to wait for (default: the newest in --dir)")
	cmd.Flags().DurationVar(&timeout, "timeout", DefaultAwaitTimeout, "give up after this long (exit 7)")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "how often to read the history")
	phaseFlag(cmd, &a.phase, "wait until every file of this phase is applied (instead of --version's default, the newest file)")
	a.keepCredentialsFlag(cmd)
	return cmd
}

// jsonAwait is `strata await --json` output.
type jsonAwait struct {
	Version        string   `json:"version"`
	CurrentVersion string   `json:"current_version"`
	Ahead          []string `json:"ahead"`
	WaitedMS       int64    `json:"waited_ms"`
	Polls          int      `json:"polls"`
}

// reached reports whether the history has applied want. A version applied
// by a newer release (ahead of the folder) counts.
func reached(st *strata.Status, want source.Version) bool {
	if st.Current.Compare(want) < 0 {
		return false
	}
	for _, ms := range st.Migrations {
		if ms.Kind != "repeatable" && ms.Version.Compare(want) == 0 {
			return ms.State == strata.StateApplied || ms.State == strata.StateEdited || ms.State == strata.StateAhead
		}
	}
	return true
}

func (a *app) await(ctx context.Context, want source.Version, phase source.Phase, timeout, interval time.Duration) error {
	a.set.readOnly = true // changes nothing: SQLite opens read-only
	start := time.Now()
	if a.rt.wait == 0 {
		a.rt.wait = timeout // the database may not be up yet either
	}
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if want.IsZero() && phase == "" {
		if h := s.m.Dir().Head(); h != nil {
			want = h.Version
		}
	}
	a.logger().Info("waiting for the migrations to reach a version", "version", want.String(), "timeout", timeout.String())
	for polls := 1; ; polls++ {
		st, err := s.m.Status(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			a.logger().Info("cannot read the history yet", "error", a.scrub(err.Error()))
		case reached(st, want) && phaseReached(st, phase):
			a.result(jsonAwait{Version: want.String(), CurrentVersion: st.Current.String(), Ahead: aheadVersions(st.Ahead), WaitedMS: time.Since(start).Milliseconds(), Polls: polls})
			if phase != "" {
				a.printf("database has every %s file applied: %s\n", phase, planAt(st))
				return nil
			}
			a.printf("database reached version %s: %s\n", want, planAt(st))
			return nil
		default:
			a.logger().Debug("not there yet", "version", want.String(), "current_version", st.Current.String())
		}
		left := timeout - time.Since(start)
		if left <= 0 {
			at := "unknown"
			if st != nil {
				at = atVersion(st.Current)
			}
			return &exitStatus{code: ExitAwaitTimeout, err: fmt.Errorf("timed out after %s waiting for the database to reach version %s (%s): check that the migrations run (strata up, strata run) or raise --timeout", timeout, want, at)}
		}
		t := time.NewTimer(min(interval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
