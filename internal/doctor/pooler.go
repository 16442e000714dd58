package doctor

import (
	"github.com/strata-db/strata/dialect"
)

// PoolerFacts is what doctor knows about connection pooling for a run.
type PoolerFacts struct {
	// Main is what was found behind the migration URL (the pooled one
	// when a direct URL is given).
	Main dialect.Pooler
	// Direct is true when migrations run over a separate direct URL;
	// DirectPooler is what was found behind it.
	Direct       bool
	DirectPooler dialect.Pooler
	// LockMode is the lock mode asked for: auto, session or lease.
	LockMode string
	// SessionSQL is true when session SQL is configured.
	SessionSQL bool
}

// Pooler reports the connection pooler found, its mode and what strata
// will do about it. The hints name no flags: the CLI adds them.
func Pooler(f PoolerFacts) Check {
	c := Check{Name: "pooler", Status: OK}
	const does = "strata takes the lease lock instead of the session advisory lock, sends no named prepared statements, keeps session SQL and every setting a file makes inside that file's transaction (SET LOCAL, RESET ALL before the commit), and refuses a file outside a transaction that needs one session across its statements"
	switch {
	case f.Direct && f.DirectPooler.Transaction():
		c.Status = Warn
		c.Detail = "the direct URL also goes through a transaction-mode pooler (" + f.DirectPooler.Evidence + "): " + does
		c.Hint = "give the server's own address as the direct URL"
	case f.Direct && f.Main.Transaction():
		c.Detail = "the database URL goes through a transaction-mode pooler (" + f.Main.Evidence + "); migrations, the lock and the history use the direct URL, which reaches the server without one"
	case f.Direct:
		c.Detail = "no transaction-mode pooler found behind either URL; migrations, the lock and the history use the direct URL"
	case f.Main.Transaction() && f.LockMode == "session":
		c.Status = Fail
		c.Detail = "a transaction-mode pooler (" + f.Main.Evidence + ") and the session lock mode: the advisory lock stays on a server session other clients get, so two runs can migrate at once"
		c.Hint = "use the auto (default) or lease lock mode, or a direct URL"
	case f.Main.Transaction():
		c.Status = Note
		c.Detail = "a transaction-mode pooler: " + f.Main.Evidence + "; " + does
		c.Hint = "for files that need a session, give a direct URL to the server"
	default:
		c.Detail = "none in transaction mode: each connection keeps its own server session"
		if f.LockMode != "lease" {
			c.Detail += "; the session lock is used"
		}
	}
	return c
}
