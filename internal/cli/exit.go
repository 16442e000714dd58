package cli

import (
	"context"
	"errors"
	"strings"
	"syscall"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/source"
)

// Exit codes. docs/exit-codes.md documents them; keep the two in step.
const (
	ExitOK              = 0   // success, including "nothing to do"
	ExitFailure         = 1   // any other failure
	ExitUsage           = 2   // bad flag, argument, URL, environment variable or migrations folder
	ExitDrift           = 3   // refused: history and folder disagree (edited, missing, out of order, failed, partial), or a down, resolve or baseline that does not fit the history
	ExitMigrationFailed = 4   // a migration failed (a statement the server rejected, a file that cannot be read or split)
	ExitLockTimeout     = 5   // the migration lock was not taken within --lock-timeout
	ExitUnreachable     = 6   // the database could not be reached or refused the connection
	ExitAwaitTimeout    = 7   // strata await: the database did not reach the version within --timeout
	ExitFleetFailed     = 8   // a fleet run (--targets*): a target failed, could not be read, or was not started
	ExitSchemaDrift     = 9   // the schema differs from the recorded snapshot (or the file): strata drift, verify --schema, and up refusing without --allow-drift
	ExitCheckPending    = 10  // strata check: files are pending
	ExitCheckEdited     = 11  // strata check: an applied file was edited
	ExitCheckMissing    = 12  // strata check: an applied file is missing (or, with --fail-if-ahead, the database is ahead of the folder)
	ExitCheckOutOfOrder = 13  // strata check: a pending file is numbered below the highest applied one
	ExitCheckIncomplete = 14  // strata check: a file failed or stopped half-way
	ExitCheckSchema     = 15  // strata check: the schema drifted from the snapshot recorded after the last run
	ExitCompatBroken    = 16  // strata compat, up --compat: a query of the deployed application would break
	ExitInterrupted     = 130 // interrupted by SIGINT (Ctrl-C)
	ExitTerminated      = 143 // stopped by SIGTERM
)

// errorCodes are the "code" values of --json error output, by exit code.
var errorCodes = map[int]string{
	ExitFailure:         "failure",
	ExitUsage:           "usage",
	ExitDrift:           "drift",
	ExitMigrationFailed: "migration_failed",
	ExitLockTimeout:     "lock_timeout",
	ExitUnreachable:     "unreachable",
	ExitAwaitTimeout:    "await_timeout",
	ExitFleetFailed:     "fleet_failed",
	ExitSchemaDrift:     "schema_drift",
	ExitCompatBroken:    "compat_broken",
	ExitCheckPending:    "pending",
	ExitCheckEdited:     "edited",
	ExitCheckMissing:    "missing",
	ExitCheckOutOfOrder: "out_of_order",
	ExitCheckIncomplete: "incomplete",
	ExitCheckSchema:     "schema_drift",
	ExitInterrupted:     "interrupted",
	ExitTerminated:      "terminated",
}

// usageError is a mistake in how strata was invoked or configured.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// exitCode classifies err. A cancelled context wins over everything: what
// failed then failed because of the signal.
func exitCode(ctx context.Context, err error) int {
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil {
		if c := context.Cause(ctx); c != nil && strings.Contains(c.Error(), syscall.SIGTERM.String()) {
			return ExitTerminated
		}
		return ExitInterrupted
	}
	var (
		refd *strata.RefusedError
		res  *strata.ResumeError
		rsv  *strata.ResolveError
		base *strata.BaselineRefusedError
		stmt *strata.StatementError
		file *source.FileError
		cfg  *strata.ConfigError
		conn *config.ConnectError
		usg  usageError
		st   *exitStatus
	)
	switch {
	case errors.As(err, &st):
		return st.code
	case errors.As(err, &usg), resolveUsage(err):
		return ExitUsage
	case errors.Is(err, strata.ErrLockTimeout):
		return ExitLockTimeout
	case errors.As(err, new(*dialect.LockLostError)):
		// Whatever failed after the lock was lost failed because of it.
		return ExitFailure
	case errors.As(err, new(*strata.SchemaDriftError)):
		return ExitSchemaDrift
	case errors.As(err, new(*strata.StillExecutingError)), errors.As(err, new(*strata.PoolerError)):
		return ExitDrift
	case errors.As(err, &refd), errors.As(err, &res), errors.As(err, &rsv),
		errors.As(err, &base), errors.Is(err, strata.ErrHistoryChanged), isPhaseOrder(err):
		return ExitDrift
	case errors.As(err, &stmt), errors.As(err, &file):
		return ExitMigrationFailed
	case errors.As(err, &cfg):
		return ExitUsage
	case errors.As(err, &conn):
		return ExitUnreachable
	}
	return ExitFailure
}
