// Package cli is the strata command: the cobra command tree, flags and
// their environment variables, exit codes, and the text and --json
// renderers of the library's results and events. It runs no SQL itself.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/lease"
	"github.com/strata-db/strata/source"
)

// app is one invocation of strata: its streams, environment and flags.
type app struct {
	env            config.Env
	stdout, stderr io.Writer
	stdin          io.Reader // where confirmations are read (nil: os.Stdin)
	wd             string    // the working directory relative paths name ("": the process's); see path

	url         string
	directURL   string         // --direct-url; see pooler.go
	direct      *config.Target // the parsed --direct-url, once known
	dir         string
	table       string
	json        bool
	quiet       bool
	verbose     bool
	sessionSQL  []string
	lockTimeout time.Duration
	lockMode    string
	leaseTTL    time.Duration
	clockSkew   time.Duration // hidden --test-clock-skew
	tx          string
	sumCache    string // --checksum-cache
	allowEmpty  bool   // --allow-empty
	failIfAhead bool   // --fail-if-ahead
	keepWriting string // --keep-writing: the other tool whose history up and down also write
	keepFrom    string // --keep-writing-from: that tool's folder (sql-migrate, flyway, liquibase)
	postDir     string // --post-deploy-dir
	phase       string // --phase of up, plan, run, check, await and status
	allowDrift  bool   // --allow-drift

	urlSet  bool           // --url was given on the command line
	target  *config.Target // the parsed URL, once known, for scrubbing
	started bool           // a command's RunE began: later errors are not usage errors

	tel telemetryState // OpenTelemetry and --metrics-file; see telemetry.go
	set settings       // --config, --password-file, --password-command, sources; see settings.go

	rt runOpts // --wait, --report, --log-format; see runtime.go

	safe safeDDL // --lock-timeout-ddl, --retries; see safeddl.go

	md summary // --format markdown and the GitHub step summary; see summary.go
}

// Main runs strata with args (without the program name) in the process's
// working directory and returns the process exit code. environ is the
// environment as os.Environ returns it. Cancelling ctx (on SIGINT or
// SIGTERM) stops the run, releases the lock and returns ExitInterrupted or
// ExitTerminated.
func Main(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	return Run(ctx, Invocation{Args: args, Environ: environ, Stdout: stdout, Stderr: stderr})
}

// Invocation is one run of strata as a process sees it: its arguments,
// environment, working directory and streams. Run reads nothing of the
// process it runs in that an Invocation gives, so runs with different
// working directories and environments can share one process.
type Invocation struct {
	Args    []string // without the program name
	Environ []string // KEY=VALUE pairs, as os.Environ returns them
	// Dir is the working directory: relative paths in flags, the
	// environment, strata.toml discovery and SQLite URLs name files
	// under it, and --password-command runs in it. "" is the process's
	// own working directory. TLS files named in a database URL
	// (sslrootcert, tls-ca) are opened by the drivers, relative to the
	// process's working directory, and the run and await commands exec
	// the app with the process's.
	Dir            string
	Stdin          io.Reader // where confirmations are read; nil is os.Stdin
	Stdout, Stderr io.Writer
}

// Run is [Main] for an [Invocation].
func Run(ctx context.Context, inv Invocation) int {
	args, environ := inv.Args, inv.Environ
	a := &app{env: config.EnvFromList(environ), stdout: inv.Stdout, stderr: inv.Stderr, stdin: inv.Stdin, wd: inv.Dir}
	a.rt.environ = environ
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(inv.Stdout)
	root.SetErr(inv.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return a.done(ExitOK)
	}
	if code, ok := printedExit(err); ok {
		return a.done(code)
	}
	if !a.started {
		// cobra stops at an unknown command or flag before it parses
		// --json: look for it by hand so the error is JSON as asked.
		a.json = a.json || jsonRequested(args, a.env)
		var u usageError
		if !errors.As(err, &u) {
			err = usage(err) // cobra's own errors: unknown command or flag, wrong arguments
		}
	}
	code := exitCode(ctx, err)
	a.summarizeError(err, code)
	a.printError(err, code)
	return a.done(code)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "strata",
		Short: "Apply numbered .sql migrations to PostgreSQL, MySQL/MariaDB or SQLite, in order, exactly once",
		Long: `strata applies a folder of numbered .sql files (0001_create_users.sql, ...) to a
database in order, exactly once, and records each in a history table with its
checksum. It refuses to go on when an applied file was edited or removed.

The database comes from --url, else STRATA_DATABASE_URL (or the file named by
STRATA_DATABASE_URL_FILE), else DATABASE_URL (or DATABASE_URL_FILE), else the
url key of strata.toml, else ` + config.DefaultURL + ` for local use (run, check,
await, wait and fleets reading --url refuse it). Every other flag can also be
set with STRATA_<FLAG>, such as STRATA_DIR or STRATA_LOCK_TIMEOUT, or with its
name as a key in strata.toml (or the --config file): a flag beats the
environment, which beats the file. The password can come from --password-file,
--password-command or STRATA_DB_PASSWORD; strata config shows what came from
where.

Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 refused
(drift), 4 a migration failed, 5 lock timeout, 6 database unreachable,
7 await timed out, 8 a fleet target failed, 10-14 strata check findings,
130 interrupted, 143 terminated.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.loadSettings(cmd); err != nil {
				return err
			}
			if a.quiet && a.verbose {
				return usage(errors.New("--quiet and --verbose contradict each other: pass one of them"))
			}
			if err := a.setupRuntime(); err != nil {
				return usage(err)
			}
			return usage(a.startTelemetry(cmd))
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })

	f := root.PersistentFlags()
	f.StringVar(&a.url, "url", "", "database URL (default: $STRATA_DATABASE_URL, $DATABASE_URL or "+config.DefaultURL+")")
	f.StringVar(&a.dir, "dir", config.DefaultDir, "migrations folder")
	f.StringVar(&a.table, "table", strata.DefaultTable, "history table, optionally SCHEMA.TABLE")
	f.BoolVar(&a.json, "json", false, "print results and errors as JSON on stdout")
	f.BoolVarP(&a.quiet, "quiet", "q", false, "print only errors")
	f.BoolVarP(&a.verbose, "verbose", "v", false, "also print each statement as it starts")
	f.StringArrayVar(&a.sessionSQL, "session-sql", nil, "SQL to run on every connection before migrating (repeatable)")
	f.DurationVar(&a.lockTimeout, "lock-timeout", strata.DefaultLockTimeout, "how long to wait for another run's migration lock (0: wait forever)")
	f.StringVar(&a.lockMode, "lock-mode", string(strata.LockAuto), "how runs exclude each other: auto (lease behind a transaction-mode pooler such as PgBouncer, else session), session (the database's own lock) or lease (a lock row with an expiry)")
	f.StringVar(&a.directURL, "direct-url", "", "the server's own URL, bypassing a connection pooler that --url goes through: migrations, the lock and the history use it (docs/poolers.md)")
	f.DurationVar(&a.leaseTTL, "lease-ttl", lease.DefaultTTL, "with --lock-mode=lease: how long a lease lasts unless renewed (renewed every third of it)")
	f.DurationVar(&a.clockSkew, "test-clock-skew", 0, "shift this host's clock as strata reads it (drills and tests: lease decisions use the database's clock)")
	_ = f.MarkHidden("test-clock-skew")
	f.StringVar(&a.tx, "tx", string(strata.TxPerFile), "transactions: file (one per file) or all (one for every pending file; PostgreSQL and SQLite)")
	f.BoolVar(&a.allowEmpty, "allow-empty", false, "accept a migrations folder without migration files (by default an error: most often the wrong --dir)")
	f.StringVar(&a.keepWriting, "keep-writing", "", "while switching from another tool (goose, golang-migrate, dbmate, tern, sql-migrate, flyway, liquibase): up and down also write that tool's history table, so you can go back to it")
	f.StringVar(&a.keepFrom, "keep-writing-from", "", "with --keep-writing sql-migrate, flyway or liquibase: the tool's own folder, which holds every file strata runs in the tool's format (its rows name those files)")
	f.BoolVar(&a.failIfAhead, "fail-if-ahead", false, "refuse (exit 3; check: 12) when the database is ahead of the folder, with applied versions newer than its newest file, instead of doing nothing")
	f.StringVar(&a.postDir, "post-deploy-dir", source.DefaultPostDeployDir, "sub-folder of --dir whose files are post-deploy files (docs/phases.md)")
	f.BoolVar(&a.allowDrift, "allow-drift", false, "apply pending files even when the schema differs from the snapshot recorded after the last run (see strata drift)")
	f.StringVar(&a.sumCache, "checksum-cache", "auto", "remember the checksums of unchanged migration files between runs: auto (in the user cache folder), off, or a file")
	a.rt.flags(f)
	f.StringVar(&a.tel.metricsFile, "metrics-file", "", "write the run's totals to this file in the Prometheus text format (atomically), for node_exporter's textfile collector")
	a.set.flags(f)
	a.safe.flags(f)

	root.AddCommand(a.waitCommand(), a.runCommand(), a.awaitCommand(), a.formatFlag(a.checkCommand()))
	root.AddCommand(a.formatFlag(a.upCommand()), a.statusCommand(), a.formatFlag(a.planCommand()), a.newCommand(), a.resolveCommand(), a.versionCommand())
	root.AddCommand(a.driftCommand(), a.schemaCommand())
	root.AddCommand(a.downCommand(), a.redoCommand(), a.baselineCommand(), a.historyCommand(), a.importCommand())
	root.AddCommand(a.configCommand(), a.doctorCommand(), a.completionCommand())
	root.AddCommand(a.lintCommand(), a.formatFlag(a.verifyCommand()), a.rehearseCommand(), a.compatCommand())
	a.addFleetFlags(root) // --targets and friends on up, status and check; see fleet.go
	explainArgs(root)
	root.AddCommand(a.foreignCommandTree()...) // create, migrate, rollback...: pointers; see aliases.go
	return root
}

// jsonRequested reports whether args (before any --) or STRATA_JSON ask
// for JSON output.
func jsonRequested(args []string, env config.Env) bool {
	for _, arg := range args {
		if arg == "--" {
			break
		}
		if v, ok := strings.CutPrefix(arg, "--json="); ok {
			b, err := strconv.ParseBool(v)
			return err == nil && b
		}
		if arg == "--json" {
			return true
		}
	}
	v, ok := env.Lookup(config.EnvName("json"))
	b, err := strconv.ParseBool(v)
	return ok && err == nil && b
}

// run wraps a command's work so that errors after this point are not
// taken for usage errors.
func (a *app) run(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.started = true
		if err := a.setupSummary(cmd); err != nil {
			return err
		}
		return f(cmd, args)
	}
}

// scrub removes the database password from s.
func (a *app) scrub(s string) string {
	if a.direct != nil {
		s = a.direct.Scrub(s)
	}
	return a.target.Scrub(s)
}

// printf writes a progress or result line to stdout unless --quiet or
// --json is given.
func (a *app) printf(format string, args ...any) {
	if a.quiet || a.json {
		return
	}
	fmt.Fprintf(a.stdout, format, args...)
}

// path is the file that the path p, as the user gave it, names: p itself
// when it is absolute or strata runs in the process's own working
// directory, else p under the invocation's working directory. Messages
// keep p as given; only opening, creating and running use path(p).
func (a *app) path(p string) string { return config.PathIn(a.wd, p) }

// readFile reads the file that the path p names (see path).
func (a *app) readFile(p string) ([]byte, error) { return os.ReadFile(a.path(p)) }

// parseURL parses a database URL whose SQLite file, when relative, is in
// the invocation's working directory.
func (a *app) parseURL(raw string) (*config.Target, error) {
	t, err := config.Parse(raw)
	if err == nil {
		t.InDir(a.wd)
	}
	return t, err
}

// dirExists checks the migrations folder before anything connects.
func (a *app) dirExists() error {
	fi, err := os.Stat(a.path(a.dir))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return usage(fmt.Errorf("the migrations folder %s does not exist: create it (strata new NAME does) or pass --dir", a.dir))
	case err != nil:
		return usage(fmt.Errorf("the migrations folder %s: %w", a.dir, err))
	case !fi.IsDir():
		return usage(fmt.Errorf("the migrations folder %s is not a folder: pass --dir with a folder of .sql files", a.dir))
	}
	return nil
}
