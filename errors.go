package strata

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
)

// ErrLockTimeout is matched ([errors.Is]) by the error returned when the
// migration lock could not be taken in time; [errors.As] with
// [*dialect.LockTimeoutError] gives the holder.
var ErrLockTimeout = errors.New("migration lock timeout")

type lockTimeout struct{ *dialect.LockTimeoutError }

func (e lockTimeout) Is(target error) bool { return target == ErrLockTimeout }
func (e lockTimeout) Unwrap() error        { return e.LockTimeoutError }

// StatementError is a statement the server rejected.
type StatementError struct {
	File      string // display name of the file
	Version   string
	Line, Col int    // where the statement starts in the file
	Index     int    // 1-based statement number within the file
	Statement string // the statement's first line
	Code      string // SQLSTATE or MySQL error number, when the server gave one
	Message   string // the server's message
	// Database is the dialect's name ("postgres", "mysql", "sqlite"), so
	// a message says which database rejected the statement.
	Database string
	// Outcome says what happened to the file: "rolled back" (nothing of it
	// remains), "recorded as partial" or "recorded as failed".
	Outcome string
	// Remedy is what settles the file's history row when a human must
	// ([RemedyResolveDownRow] for a down file that stopped half-way), or
	// "".
	Remedy Remedy
	// InvalidIndexes lists the invalid indexes in the schema after the
	// failure (PostgreSQL): a failed CREATE INDEX CONCURRENTLY leaves its
	// index behind, invalid, and running the file again fails on it.
	InvalidIndexes []string
	Err            error
}

func (e *StatementError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: statement %d failed: %s", e.File, e.Line, e.Index, e.Statement)
	db := ""
	if e.Database != "" {
		db = e.Database + " "
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "\n  %serror %s: %s", db, e.Code, e.Message)
	} else {
		fmt.Fprintf(&b, "\n  %serror: %v", db, e.Err)
	}
	if e.Outcome != "" {
		fmt.Fprintf(&b, "\n  the file was %s", e.Outcome)
	}
	if len(e.InvalidIndexes) > 0 {
		fmt.Fprintf(&b, "\n  invalid indexes left behind: %s; drop each with DROP INDEX CONCURRENTLY before running the file again", strings.Join(e.InvalidIndexes, ", "))
	}
	return b.String()
}

func (e *StatementError) Unwrap() error { return e.Err }

// fileError is the [*source.FileError] for file name (a display name) at
// line (0: the file as a whole).
func fileError(name string, line int, err error) *source.FileError {
	return &source.FileError{Files: []string{name}, Line: line, Err: err}
}

// ConfigError is a combination of options or arguments that cannot work,
// such as [TxAll] on MySQL. Nothing was run.
type ConfigError struct {
	Msg string
	// Kind says which combination was refused ("" when Msg says it all);
	// the fields below give its particulars.
	Kind     ConfigErrorKind
	Database string // the dialect's name, for ConfigTxAllNotPossible and ConfigRehearseNotPossible
	File     string // the file, for ConfigTxAllFile
	Reason   string // why File cannot run in a transaction, for ConfigTxAllFile
	Count    int    // the steps asked for, for ConfigDownTooMany
	Applied  int    // the migrations applied, for ConfigDownTooMany
}

func (e *ConfigError) Error() string { return e.Msg }
