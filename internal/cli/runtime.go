package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/dbwait"
	"github.com/strata-db/strata/internal/launch"
)

// runOpts holds the flags and state for running strata inside deploy
// pipelines: waiting for the database, logs, the --report file, and
// starting the application afterwards.
type runOpts struct {
	wait             time.Duration // --wait
	report           string        // --report FILE
	logFormat        string        // --log-format text|json
	progressInterval time.Duration // --progress-interval (hidden)

	environ         []string                                    // the environment for an exec'd application
	keepCredentials bool                                        // --keep-credentials-env: do not remove strata's credential variables from it
	exec            func(c *launch.Command, env []string) error // launch.Command.Exec; replaced in tests
	log             *slog.Logger
	watch           *stmtWatch
	doc             any  // the JSON document of the command's result or error, for --report
	written         bool // the report was written (before an exec)
}

// DefaultProgressInterval is how long a statement runs before strata logs
// that it is still running, and how often after that.
const DefaultProgressInterval = 10 * time.Second

// flags registers the global flags of the runtime.
func (r *runOpts) flags(f *pflag.FlagSet) {
	f.DurationVar(&r.wait, "wait", 0, "wait up to this long for the database to answer before doing anything (0: try once)")
	f.StringVar(&r.report, "report", "", "also write the command's JSON result (or error) to this file, whatever the output mode")
	f.StringVar(&r.logFormat, "log-format", "text", "logs on stderr: text (plain lines) or json (one object per line)")
	f.DurationVar(&r.progressInterval, "progress-interval", DefaultProgressInterval, "log a statement that is still running after this long, and again at this interval")
	_ = f.MarkHidden("progress-interval")
}

// setup checks the runtime flags and builds the logger. It runs before
// every command.
func (a *app) setupRuntime() error {
	r := &a.rt
	level := slog.LevelInfo
	switch {
	case a.quiet:
		level = slog.LevelWarn
	case a.verbose:
		level = slog.LevelDebug
	}
	switch r.logFormat {
	case "json":
		r.log = slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	case "text":
		r.log = slog.New(&lineHandler{mu: new(sync.Mutex), w: a.stderr, level: level, stamp: !isTerminal(a.stderr)})
	default:
		return fmt.Errorf("--log-format %q: give text or json", r.logFormat)
	}
	if r.progressInterval <= 0 {
		return fmt.Errorf("--progress-interval %s: give a positive duration", r.progressInterval)
	}
	if r.wait < 0 {
		return fmt.Errorf("--wait %s: give a positive duration, or 0 to try once", r.wait)
	}
	r.watch = &stmtWatch{interval: r.progressInterval, log: r.log}
	return nil
}

// logger returns the logger, or one that discards everything before setup.
func (a *app) logger() *slog.Logger {
	if a.rt.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.rt.log
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// connect checks that the database answers: once, or with --wait until it
// does or the wait runs out, logging each failed attempt.
func (a *app) connect(ctx context.Context, t *config.Target, db *sql.DB) error {
	if a.rt.wait > 0 {
		if _, err := a.waitFor(ctx, t, db, a.rt.wait); err != nil {
			return err
		}
	}
	return t.Ping(ctx, db)
}

// waitFor waits up to d for the server behind db to answer.
func (a *app) waitFor(ctx context.Context, t *config.Target, db *sql.DB, d time.Duration) (dbwait.Result, error) {
	return t.Wait(ctx, db, dbwait.Options{
		Deadline: d,
		OnAttempt: func(n int, err error, next time.Duration) {
			a.logger().Info("waiting for the database", "url", t.Redacted, "attempt", n,
				"error", a.scrub(err.Error()), "retry_in", next.Round(time.Millisecond).String())
		},
	})
}

// observe wraps a command's event renderer: it feeds the statement
// progress ticker and, with --log-format json, logs the events instead of
// printing text lines.
func (a *app) observe(next func(strata.Event)) func(strata.Event) {
	return func(e strata.Event) {
		if a.rt.watch != nil {
			a.rt.watch.event(e)
		}
		if a.rt.logFormat == "json" {
			a.logEvent(e)
			return
		}
		if next != nil {
			next(e)
		}
	}
}

// logEvent renders one library event as a log record.
func (a *app) logEvent(e strata.Event) {
	l := a.logger()
	switch e.Kind {
	case strata.EventLockWaiting:
		l.Info("waiting for the migration lock", "holder", a.scrub(e.Holder), "waited", e.Duration.String(), "lock_timeout", a.lockTimeout.String())
	case strata.EventLockAcquired:
		l.Info("took the migration lock", "waited", e.Duration.String())
	case strata.EventMigrationStart:
		l.Info("migration started", "file", e.File)
	case strata.EventStatementStart:
		if e.Statement != nil {
			l.Debug("statement started", "file", e.File, "statement", e.Index, "line", e.Statement.Line)
		}
	case strata.EventMigrationDone:
		l.Info("migration done", "file", e.File, "duration_ms", e.Duration.Milliseconds())
	case strata.EventMigrationError:
		msg := ""
		if e.Err != nil {
			msg = a.scrub(e.Err.Error())
		}
		l.Error("migration failed", "file", e.File, "duration_ms", e.Duration.Milliseconds(), "error", msg)
	case strata.EventEmptyMigration:
		l.Warn("migration has no statements: it is recorded as applied, and later edits to it will be refused", "file", e.File)
	case strata.EventSnapshotFailed:
		msg := ""
		if e.Err != nil {
			msg = a.scrub(e.Err.Error())
		}
		l.Warn("could not record the schema snapshot after the run; strata drift compares with the previous one", "error", msg)
	case strata.EventMigrationRetry:
		l.Warn("retrying migration after a lock timeout", "file", e.File, "attempt", e.Attempt, "retry_in", e.Duration.String())
	}
}

// wantJSON reports whether the command must build its JSON document:
// for --json output or for the --report file.
func (a *app) wantJSON() bool { return a.json || a.rt.report != "" }

// result records v as the command's JSON document for --report and, with
// --json, prints it on stdout.
func (a *app) result(v any) {
	if a.target != nil && !a.set.fleet {
		v = targeted{target: a.target.Redacted, doc: v}
	}
	a.rt.doc = v
	if a.json {
		writeJSON(a.stdout, v)
	}
}

// writeReport writes the JSON document to the --report file, once.
func (a *app) writeReport() error {
	r := &a.rt
	if r.report == "" || r.written || r.doc == nil {
		return nil
	}
	r.written = true
	f, err := os.Create(a.path(r.report))
	if err != nil {
		return fmt.Errorf("write the --report file: %w", err)
	}
	writeJSON(f, r.doc)
	if err := f.Close(); err != nil {
		return fmt.Errorf("write the --report file: %w", err)
	}
	return nil
}

// done ends an invocation with code: it stops the progress ticker and
// writes the report. A report that cannot be written turns success into a
// failure.
func (a *app) done(code int) int {
	if a.rt.watch != nil {
		a.rt.watch.stop()
	}
	if err := a.endTelemetry(code); err != nil {
		fmt.Fprintf(a.stderr, "error: %s\n", a.scrub(err.Error()))
		if code == ExitOK {
			code = ExitFailure
		}
	}
	if err := a.writeReport(); err != nil {
		fmt.Fprintf(a.stderr, "error: %s\n", err)
		if code == ExitOK {
			return ExitFailure
		}
	}
	return code
}

// exitStatus is an error that carries its own exit code. When printed is
// true the command already reported the outcome (check prints its
// findings), so Main prints nothing more.
type exitStatus struct {
	code    int
	err     error
	printed bool
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

// printedExit returns the code of an exitStatus the command already
// reported.
func printedExit(err error) (int, bool) {
	var es *exitStatus
	if errors.As(err, &es) && es.printed {
		return es.code, true
	}
	return 0, false
}
