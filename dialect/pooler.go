package dialect

import (
	"context"
	"database/sql"
)

// The pooler modes Pooler.Mode reports.
const (
	// PoolerNone: each client session is a server session of its own.
	PoolerNone = ""
	// PoolerTransaction: a pooler (PgBouncer in transaction or statement
	// mode, RDS Proxy multiplexing, ...) hands each transaction whichever
	// server session is free, so session state (session locks, SET,
	// named prepared statements) does not survive from one transaction
	// to the next, and may be seen by another client.
	PoolerTransaction = "transaction"
)

// Pooler is what a PoolerDetector found between the client and the
// database server.
type Pooler struct {
	// Mode is PoolerTransaction, or PoolerNone when every client
	// connection kept a server session of its own.
	Mode string
	// Evidence says what showed it, for doctor and the logs ("client
	// connection 2 ran on server process 4711, which client connection 1
	// had just used").
	Evidence string
}

// Transaction reports whether server sessions are shared between clients
// after each transaction.
func (p Pooler) Transaction() bool { return p.Mode == PoolerTransaction }

// PoolerDetector is implemented by dialects that can tell whether the
// connections of a *sql.DB go through a transaction-mode connection
// pooler. DetectPooler uses two connections of db and sends only
// statements without parameters over the simple protocol, so it works
// whatever prepared-statement mode the driver uses. It never reports a
// pooler where there is none (a direct session cannot share its server
// process with another client); a pooler that happens to keep handing a
// client the same server session may go unseen. When it finds a pooler
// it closes the connections it used instead of pooling them, so a caller
// that opens new ones differently (without named prepared statements)
// gets only those.
type PoolerDetector interface {
	DetectPooler(ctx context.Context, db *sql.DB) (Pooler, error)
}

// SessionNeeder is implemented by dialects that can tell whether a
// statement run outside a transaction needs the session to outlive it
// (ChangesSession alone says the statement changed it). Without it,
// ChangesSession is used.
type SessionNeeder interface {
	NeedsSession(stmt string) bool
}
