package dialect

import "context"

// LockInspector is implemented by dialects whose Lock writes something
// (SQLite's lock file) and that can tell whether the lock is held by only
// reading. Read-only commands (status, check, await) use it to tell a live
// run from a dead one without changing anything.
type LockInspector interface {
	// LockHeld reports whether a run holds the migration lock for the
	// history table t; conn is a connection to the database.
	LockHeld(ctx context.Context, conn Execer, t Table) (bool, error)
}

// Clock is implemented by dialects that can read the database server's
// clock, which lease expiries are compared with rather than the host's.
type Clock interface {
	// NowMillis returns the database's current time in milliseconds
	// since the Unix epoch.
	NowMillis(ctx context.Context, q Execer) (int64, error)
}
