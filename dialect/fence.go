package dialect

import (
	"context"
	"database/sql"
)

// LockLostError says that the migration lock a run held was lost while
// the run was working: its connection was cut (a server's wait_timeout, a
// proxy's idle timeout, KILL CONNECTION, pg_terminate_backend) or its lease
// was taken over after it expired. The run stops at once and sends
// nothing more; another run may already hold the lock.
type LockLostError struct {
	Lock   string // the lock, as the database names it: "GET_LOCK strata:… on connection 12", "lease 3f…"
	Reason string // what happened, as far as strata knows
}

// Error says which lock was lost, how, and what to do.
func (e *LockLostError) Error() string {
	return e.Found() + "check the migrations' status before running again"
}

// Found is Error without what to do, for front ends that phrase their
// own hint; it ends with ": ".
func (e *LockLostError) Found() string {
	return "the migration lock (" + e.Lock + ") was lost: " + e.Reason +
		"; the run stopped and sent nothing more, and history writes are fenced with the lock, so another run may hold it now: "
}

// Watched is implemented by a held [Lock] that can be lost while it is held.
// Lost is closed once the lock is known to be lost; Err then returns a
// [*LockLostError].
type Watched interface {
	Lost() <-chan struct{}
	Err() error
}

// Fenced is implemented by a held [Lock] that the database itself can check.
// Fence returns a SQL boolean expression (no bind parameters) that is true
// exactly while this lock is still held by this run; strata adds it to
// every history write, so a run that lost its lock cannot overwrite the
// history of the run that took it over.
type Fenced interface {
	Fence() string
}

// LockProber is implemented by dialects that can tell, with one read-only
// statement that takes nothing, whether another session holds the
// session-mode migration lock. A lease-mode run uses it to keep out of a
// session-mode run's way (behind a transaction pooler, where the session
// lock itself cannot be taken).
type LockProber interface {
	// LockHolder returns a description of the session holding the lock
	// of history table t, or "" when nobody does.
	LockHolder(ctx context.Context, q Execer, t Table) (string, error)
}

// WorkMarker is implemented by dialects whose session lock lives on a
// connection other than the one that runs the statements (MySQL), so a
// statement can outlive the lock: after the strata process is killed, the
// lock connection closes at once while the work connection's statement
// runs on to its end. MarkWork tags conn as the work connection of history
// table t's runs; Executing reports the tagged connection while it exists.
type WorkMarker interface {
	MarkWork(ctx context.Context, conn *sql.Conn, t Table) (release func(context.Context) error, err error)
	// Executing returns a description of the work connection ("connection
	// 42") while one exists, and the statement that stops it ("KILL 42"),
	// or "" when none does.
	Executing(ctx context.Context, q Execer, t Table) (conn, kill string, err error)
}

// ImplicitTx is implemented by dialects whose server runs a query of
// several statements without parameters as one implicit transaction
// (PostgreSQL's simple query protocol). Outside a transaction, strata then
// sends each statement together with the history update that records it,
// so a statement that completes after its run died (the server finishes a
// statement whose client is gone) is recorded with it, and one that is
// rolled back is not. Together reports whether stmt can be sent so (it
// can run inside a transaction block).
type ImplicitTx interface {
	Together(stmt string) bool
}

// Clock is implemented by dialects that can read the database server's
// clock in SQL. NowMS is an expression for the server's current time in
// milliseconds since the Unix epoch; every lease decision uses it, never a
// host's clock, so hosts whose clocks disagree still agree on expiry.
type Clock interface {
	NowMS() string
}

// Checker is implemented by a held [Lock] that can confirm, before strata
// sends a statement, that it is still held (renewing it if need be). Check
// returns a [*LockLostError] when it is not.
type Checker interface {
	Check(ctx context.Context) error
}
