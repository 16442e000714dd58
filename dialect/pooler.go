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
// connections of a *sql.DB go through a transaction-mode connection pooler,
// and that can keep a run's session settings inside its transactions there.
type PoolerDetector interface {
	// DetectPooler uses two connections of db and sends only statements
	// without parameters over the simple protocol, so it works whatever
	// prepared-statement mode the driver uses. It never reports a pooler
	// where there is none (a direct session cannot share its server
	// process with another client); a pooler that keeps handing a client
	// the same server session may go unseen. When it finds a pooler it
	// closes the connections it used instead of pooling them, so a caller
	// that opens new ones differently (without named prepared statements)
	// gets only those.
	DetectPooler(ctx context.Context, db *sql.DB) (Pooler, error)
	// Localize returns session setting stmt rewritten to last only until
	// the end of the transaction it runs in (SET x → SET LOCAL x), or ""
	// when it cannot be.
	Localize(stmt string) string
	// ResetInTx is the statement that undoes, before the transaction
	// commits, every session setting made in it (RESET ALL), so nothing
	// stays on a pooled server session for the next client.
	ResetInTx() string
	// NeedsSession reports a statement that, run outside a transaction,
	// leaves state on the session for the statements after it: a session
	// setting, a temporary table, a prepared statement.
	NeedsSession(stmt string) bool
}
