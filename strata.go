// Package strata applies a folder of numbered .sql files to PostgreSQL,
// MySQL/MariaDB or SQLite in order, exactly once, recording each in a
// history table with its SHA-256 checksum.
//
// The library never prints and never exits: it returns values and typed
// errors, and reports progress as Events to an observer. The strata
// command is a thin layer over it.
//
//	db, _ := sql.Open("sqlite", "file:app.db")
//	m, err := strata.New(db, sqlite.New(), migrationsFS)
//	res, err := m.Up(ctx, strata.PlanOptions{})
package strata

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"os/user"
	"path"
	"sync"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// Migrator applies one migrations folder to one database.
type Migrator struct {
	mu       sync.Mutex // guards resolved, the store's table, cfg.table and cfg.pooler
	resolved bool       // the history table's schema was read from the server
	db       *sql.DB
	d        dialect.Dialect
	dir      *source.Dir
	store    *history.Store
	cfg      config
	osUser   string
}

// New loads the migrations in fsys and returns a [Migrator] for db. It
// returns every problem in the folder (bad names, duplicate versions,
// invalid UTF-8, files written for another tool: *source.ForeignError) at
// once, before touching the database. A folder without migration files is
// an error ([source.ErrNoMigrations]) unless [WithAllowEmpty](true).
//
// For MySQL/MariaDB, any parseTime and loc will do (strata reads and
// writes its timestamps as UTC text); for the fastest runs open db with
// multiStatements=true: strata then sends a small transactional file with
// its history row in one query (it sends statements one by one without
// it). strataurl.Open opens a database URL the way the CLI does.
func New(db *sql.DB, d dialect.Dialect, fsys fs.FS, opts ...Option) (*Migrator, error) {
	if db == nil || d == nil || fsys == nil {
		return nil, &ConfigError{Msg: "strata.New needs a database, a dialect and a file system"}
	}
	cfg, err := configure(db, d, opts)
	if err != nil {
		return nil, err
	}
	dir, err := source.LoadWith(fsys, cfg.load)
	if err != nil {
		return nil, err
	}
	return newMigrator(db, d, dir, cfg), nil
}

// NewFromDir returns a [Migrator] for db that applies a folder already
// loaded with [source.Load] or [source.LoadWith]. A loaded Dir is never
// changed, so one Dir can serve many Migrators at once: a fleet of
// databases applying the same folder reads and checksums it once, and
// every database is checked against the same checksums. Files are still
// opened through dir.FS when they run, and each is checked against the
// checksum it was loaded with, so an edit made after loading is refused.
// [WithChecksumCache] has no effect here: give the cache to [source.LoadWith].
func NewFromDir(db *sql.DB, d dialect.Dialect, dir *source.Dir, opts ...Option) (*Migrator, error) {
	if db == nil || d == nil || dir == nil {
		return nil, &ConfigError{Msg: "strata.NewFromDir needs a database, a dialect and a loaded folder"}
	}
	cfg, err := configure(db, d, opts)
	if err != nil {
		return nil, err
	}
	return newMigrator(db, d, dir, cfg), nil
}

// configure applies opts and checks that they fit db and d.
func configure(db *sql.DB, d dialect.Dialect, opts []Option) (config, error) {
	cfg := defaults()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return config{}, &ConfigError{Msg: err.Error()}
		}
	}
	if err := dialect.CheckTableName(d, cfg.table); err != nil {
		return config{}, &ConfigError{Msg: err.Error()}
	}
	if cfg.txMode == TxAll && !d.TransactionalDDL() {
		return config{}, &ConfigError{Kind: ConfigTxAllNotPossible, Database: d.Name(),
			Msg: fmt.Sprintf("TxAll is not possible on %s: it commits DDL implicitly, so a failure half-way could not be rolled back; use the default TxFile, which records progress after each statement", d.Name())}
	}
	if cfg.lockMode == LockLease && db.Stats().MaxOpenConnections == 1 {
		return config{}, &ConfigError{Kind: ConfigLeaseOneConn, Msg: "LockLease needs a second database connection to renew the lease while files run, but the pool allows one (SetMaxOpenConns(1)); use the default session lock"}
	}
	return cfg, nil
}

func newMigrator(db *sql.DB, d dialect.Dialect, dir *source.Dir, cfg config) *Migrator {
	store := history.New(d, cfg.table)
	// The history has about one row per file: read it without regrowing.
	store.ExpectRows(len(dir.Versioned) + len(dir.Repeatable))
	m := &Migrator{db: db, d: d, dir: dir, store: store, cfg: cfg}
	if u, err := user.Current(); err == nil {
		m.osUser = u.Username
	}
	return m
}

// Dir returns the loaded migrations folder.
func (m *Migrator) Dir() *source.Dir { return m.dir }

// Dialect returns the migrator's dialect.
func (m *Migrator) Dialect() dialect.Dialect { return m.d }

// display names a file the way messages show it.
func (m *Migrator) display(p string) string {
	if m.cfg.sourceName == "" || m.cfg.sourceName == "." {
		return p
	}
	return path.Join(m.cfg.sourceName, p)
}

// conn pins one connection and runs the session SQL on it; behind a
// transaction-mode pooler, where a session setting would not last, it
// only reads the history table's schema with the session SQL applied in
// a transaction (see pooler.go).
func (m *Migrator) conn(ctx context.Context) (*sql.Conn, error) {
	pooled, err := m.pooled(ctx)
	if err != nil {
		return nil, err
	}
	c, err := m.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if pooled {
		if err := m.qualifyPooled(ctx, c); err != nil {
			m.putBack(c, true)
			return nil, err
		}
		return c, nil
	}
	if err := m.sessionSQL(ctx, c); err != nil {
		m.putBack(c, true)
		return nil, err
	}
	if err := m.qualify(ctx, c); err != nil {
		m.putBack(c, true)
		return nil, err
	}
	return c, nil
}

// putBack returns a connection taken with conn to the pool, or discards it
// when strata left session state on it (WithSessionSQL, unless
// WithSharedPool, or a file's SET that was not reset, changed), so the
// application's next connection from its *sql.DB never inherits strata's
// session.
func (m *Migrator) putBack(c *sql.Conn, changed bool) {
	if changed || len(m.cfg.sessionSQL) > 0 && !m.cfg.sharedPool {
		// An error wrapping driver.ErrBadConn from Raw makes database/sql
		// close the driver connection instead of pooling it.
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = c.Close()
}

// qualify puts the history table (and with it the audit and lock tables)
// in the schema or database the session is in at connect time, after the
// session SQL, when WithTable named none. Without it, a migration that
// runs SET search_path or USE would move the history row it writes into
// that schema's table. It reads the schema once.
func (m *Migrator) qualify(ctx context.Context, c *sql.Conn) error {
	r, ok := m.d.(dialect.SchemaResolver)
	if !ok {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.resolved || m.cfg.table.Schema != "" {
		return nil
	}
	return m.resolveSchema(ctx, r, c)
}

// resolveSchema reads the session's schema into the history table; m.mu
// is held.
func (m *Migrator) resolveSchema(ctx context.Context, r dialect.SchemaResolver, c dialect.Execer) error {
	schema, err := r.CurrentSchema(ctx, c)
	if err != nil {
		return fmt.Errorf("read the current schema for the history table: %w", err)
	}
	m.resolved = true
	if schema != "" {
		m.cfg.table.Schema = schema
		m.store.Qualify(schema)
	}
	return nil
}

func (m *Migrator) sessionSQL(ctx context.Context, c *sql.Conn) error {
	for _, s := range m.cfg.sessionSQL {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("session SQL %q: %w", s, err)
		}
	}
	return nil
}
