package strata

import (
	"context"
	"strings"
)

// withStopCause returns msg, the error a failed or partial history row
// records, with why the run was stopped when its context ended (a signal,
// a lost lease, a timeout): the server only says that a statement was
// canceled ("canceling statement due to user request", "Query execution
// was interrupted"), which does not tell the next reader why.
func withStopCause(ctx context.Context, msg string) string {
	if ctx.Err() == nil {
		return msg
	}
	cause := context.Cause(ctx)
	if cause == nil || strings.Contains(msg, cause.Error()) {
		return msg
	}
	return msg + "; the run was stopped: " + cause.Error()
}

// rowText is how a history row records a statement's failure: the
// server's code and message, or the driver's error when the server gave
// none (a cut connection, a query canceled on the client side), never a
// blank.
func (e *StatementError) rowText() string {
	switch {
	case e.Code != "" || e.Message != "":
		return strings.TrimSpace(e.Code + " " + e.Message)
	case e.Err != nil:
		return e.Err.Error()
	}
	return "failed without an error from the server or the driver"
}
