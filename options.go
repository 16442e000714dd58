package strata

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
)

// DefaultTable is the history table's default name.
const DefaultTable = "strata_schema_history"

// DefaultLockTimeout is how long a run waits for the migration lock.
const DefaultLockTimeout = 15 * time.Minute

// TxMode says how pending files are grouped into transactions.
type TxMode string

// The transaction modes.
const (
	// TxPerFile runs each file in its own transaction, with its history
	// row written in the same transaction (the default).
	TxPerFile TxMode = "file"
	// TxAll runs every pending file in one transaction: all or nothing.
	// Only for databases with transactional DDL (PostgreSQL, SQLite).
	TxAll TxMode = "all"
)

// ParseTxMode parses "file" or "all".
func ParseTxMode(s string) (TxMode, error) {
	switch TxMode(s) {
	case TxPerFile, "":
		return TxPerFile, nil
	case TxAll:
		return TxAll, nil
	}
	return "", fmt.Errorf("unknown transaction mode %q: use file (one transaction per file) or all (one transaction for every pending file)", s)
}

// LockMode says how runs exclude each other.
type LockMode string

// The lock modes.
const (
	// LockAuto uses the lease lock when the connection goes through a
	// transaction-mode pooler (found with the dialect's PoolerDetector,
	// or given with WithPooler), and the session lock otherwise. The
	// default.
	LockAuto LockMode = "auto"
	// LockSession uses the database's session lock (PostgreSQL advisory
	// lock, MySQL GET_LOCK, SQLite file lock). Behind a transaction-mode
	// pooler it does not exclude anything: the lock stays on a server
	// session other clients get.
	LockSession LockMode = "session"
	// LockLease uses a row with an owner and an expiry in a lock table,
	// renewed while the run lives: for setups where session locks do not
	// hold, such as PgBouncer in transaction mode.
	LockLease LockMode = "lease"
)

// ParseLockMode parses "auto", "session" or "lease".
func ParseLockMode(s string) (LockMode, error) {
	switch LockMode(s) {
	case LockAuto, "":
		return LockAuto, nil
	case LockSession:
		return LockSession, nil
	case LockLease:
		return LockLease, nil
	}
	return "", fmt.Errorf("unknown lock mode %q: use auto (lease behind a transaction-mode pooler, else session), session (the database's own lock) or lease (a lock row with an expiry)", s)
}

type config struct {
	lockMode        LockMode
	pooler          *dialect.Pooler // WithPooler; nil: detect when needed
	leaseTTL        time.Duration
	clockSkew       time.Duration // WithClockSkew
	table           dialect.Table
	sessionSQL      []string
	sharedPool      bool   // WithSharedPool
	tenantSchema    string // WithTenantSchema
	allowOutOfOrder bool
	allowDrift      bool // WithAllowDrift
	failIfAhead     bool
	keepWriting     OtherHistory // WithKeepWriting
	txMode          TxMode
	lockTimeout     time.Duration
	ddlLockTimeout  time.Duration
	retries         int
	observer        func(Event)
	sourceName      string
	version         string
	host            string
	load            source.LoadOptions
}

// Option configures a [Migrator]. Options validate their arguments and [New]
// returns their errors.
type Option func(*config) error

// WithTable sets the history table, optionally schema-qualified
// ("ops.strata_schema_history"). The name is always quoted.
func WithTable(name string) Option {
	return func(c *config) error {
		t, err := ParseTable(name)
		if err != nil {
			return err
		}
		c.table = t
		return nil
	}
}

// ParseTable parses "table" or "schema.table".
func ParseTable(name string) (dialect.Table, error) {
	schema, table, ok := strings.Cut(name, ".")
	if !ok {
		schema, table = "", name
	}
	if table == "" || (ok && schema == "") || strings.Contains(table, ".") {
		return dialect.Table{}, fmt.Errorf("history table %q: want NAME or SCHEMA.NAME", name)
	}
	return dialect.Table{Schema: schema, Name: table}, nil
}

// WithSessionSQL sets statements run on every connection strata works on,
// after connecting and after every session reset (for example
// "SET FOREIGN_KEY_CHECKS=0" or "SET search_path TO app"). Connections
// they ran on are closed when strata is done with them, not returned to
// the *sql.DB's pool, so the application never gets strata's session.
func WithSessionSQL(stmts ...string) Option {
	return func(c *config) error {
		for _, s := range stmts {
			if strings.TrimSpace(s) != "" {
				c.sessionSQL = append(c.sessionSQL, s)
			}
		}
		return nil
	}
}

// WithSharedPool says db's pool is shared by Migrators that each set their
// own session with [WithSessionSQL], such as the schemas of one server in
// a fleet, each with its own SET search_path: a connection that only ran
// the session SQL goes back to the pool when strata is done with it
// instead of being closed, so the next Migrator reuses it rather than
// opening a connection of its own. Every connection strata takes runs the
// session SQL again first, so none works in another Migrator's session;
// one a file left other session state on is still closed. Do not share
// such a pool with an application, which would get a connection in the
// last Migrator's session.
func WithSharedPool(shared bool) Option {
	return func(c *config) error {
		c.sharedPool = shared
		return nil
	}
}

// WithTenantSchema says the migrations create objects in one schema only,
// name, as each tenant of a schema-per-tenant database does: the schema
// snapshots recorded after a run, and the drift checks that compare with
// them, cover that schema only where the dialect can read one schema
// (PostgreSQL; a MySQL database is read alone anyway), instead of every
// schema of the database, which would hold the other tenants' objects and
// see their migrations as drift.
func WithTenantSchema(name string) Option {
	return func(c *config) error {
		c.tenantSchema = name
		return nil
	}
}

// WithAllowOutOfOrder lets [Migrator.Apply] run pending files whose version is lower
// than the highest applied one.
func WithAllowOutOfOrder(allow bool) Option {
	return func(c *config) error { c.allowOutOfOrder = allow; return nil }
}

// WithFailIfAhead makes a database ahead of the folder (applied versions
// above its newest file, see [StateAhead]) a problem: [Migrator.Plan], [Migrator.Up] and [Migrator.Apply]
// refuse with a [*RefusedError] holding a [ProblemAhead] problem. By default such a
// database is up to date for this folder and there is nothing to do, so an
// older release keeps running against a database a newer one migrated.
func WithFailIfAhead(fail bool) Option {
	return func(c *config) error { c.failIfAhead = fail; return nil }
}

// WithTxMode sets how pending files are grouped into transactions.
func WithTxMode(m TxMode) Option {
	return func(c *config) error {
		if m != TxPerFile && m != TxAll {
			return fmt.Errorf("unknown transaction mode %q", m)
		}
		c.txMode = m
		return nil
	}
}

// WithLockTimeout sets how long to wait for the migration lock (0: wait
// until the context is done).
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("lock timeout must not be negative")
		}
		c.lockTimeout = d
		return nil
	}
}

// WithDDLLockTimeout makes each file's statements wait at most d for a
// table lock (PostgreSQL lock_timeout, MySQL lock_wait_timeout and
// innodb_lock_wait_timeout, SQLite busy_timeout), so a migration stuck
// behind a long query fails instead of queueing every other query behind
// it. A file's -- strata:lock-timeout directive overrides it; 0 (the
// default) leaves the server's setting alone.
func WithDDLLockTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("DDL lock timeout must not be negative")
		}
		c.ddlLockTimeout = d
		return nil
	}
}

// WithRetries runs a file that ran in a transaction again, up to n times,
// when it failed on a lock timeout or a deadlock (it was rolled back, so
// it starts over), waiting 500ms, 1s, 2s ... between attempts. Files that
// run outside a transaction are never retried.
func WithRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return errors.New("retries must not be negative")
		}
		c.retries = n
		return nil
	}
}

// WithLockMode sets how runs exclude each other.
func WithLockMode(mode LockMode) Option {
	return func(c *config) error {
		if mode != LockAuto && mode != LockSession && mode != LockLease {
			return fmt.Errorf("unknown lock mode %q", mode)
		}
		c.lockMode = mode
		return nil
	}
}

// WithPooler tells the Migrator what is between it and the database, as
// found by the dialect's PoolerDetector (for example when the caller
// already probed, to open its connections without named prepared
// statements), so it does not probe again. Without it a Migrator whose
// dialect is a dialect.PoolerDetector probes once, when it first needs to
// know.
func WithPooler(p dialect.Pooler) Option {
	return func(c *config) error { c.pooler = &p; return nil }
}

// WithLeaseTTL sets how long a lease lasts without renewal ([LockLease]);
// it is renewed every third of that.
func WithLeaseTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Second {
			return errors.New("lease TTL must be at least 1s")
		}
		c.leaseTTL = d
		return nil
	}
}

// WithClockSkew shifts this host's clock, as strata reads it for the times
// it records (a history row's started_at and finished_at), by d: it makes
// strata behave as on a host whose clock is off. Lease decisions never use
// this host's clock (docs/safety.md); the option exists for drills and
// tests that prove it.
func WithClockSkew(d time.Duration) Option {
	return func(c *config) error { c.clockSkew = d; return nil }
}

// WithObserver sets a function that receives every [Event]. It is called
// synchronously from the goroutine doing the work; keep it quick.
func WithObserver(f func(Event)) Option {
	return func(c *config) error { c.observer = f; return nil }
}

// WithSourceName sets the name shown for the migrations folder in messages
// ("migrations" gives "migrations/0001_init.sql:3").
func WithSourceName(name string) Option {
	return func(c *config) error { c.sourceName = name; return nil }
}

// WithChecksumCache keeps the migration files' checksums in file between
// runs, so [New] reads only the files that changed since (see
// [source.LoadOptions] and docs/checksums.md); key names the folder, such as
// its absolute path. Every file is still checked against its recorded
// state, so an edited file is still caught. Without this option [New] reads
// every file.
func WithChecksumCache(file, key string) Option {
	return func(c *config) error { c.load.CacheFile, c.load.CacheKey = file, key; return nil }
}

// WithAllowEmpty lets [New] accept a folder without migration files. Without
// it [New] returns an error that wraps [source.ErrNoMigrations] (a
// *source.NoMigrationsError naming the subfolders that hold .sql files): a
// folder with nothing to apply is most often the wrong one, such as the
// parent of the real folder or an embed.FS not narrowed with fs.Sub.
// [NewFromDir] takes a folder already loaded: give [source.LoadOptions]
// AllowEmpty to LoadWith instead.
func WithAllowEmpty(allow bool) Option {
	return func(c *config) error { c.load.AllowEmpty = allow; return nil }
}

// WithVersion sets the strata version recorded in the history table.
func WithVersion(v string) Option {
	return func(c *config) error { c.version = v; return nil }
}

func defaults() config {
	host, _ := os.Hostname()
	return config{
		table:       dialect.Table{Name: DefaultTable},
		txMode:      TxPerFile,
		lockMode:    LockAuto,
		lockTimeout: DefaultLockTimeout,
		version:     "dev",
		host:        host,
	}
}
