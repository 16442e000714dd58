package strata

// Behind a transaction-mode pooler (PgBouncer in transaction mode, RDS
// Proxy multiplexing) every transaction may run on another server session,
// and a session left with state may be handed to another client. What
// strata does there, found without being told (dialect.PoolerDetector):
// the lease lock instead of the session lock (LockAuto), session SQL and
// every session setting a file makes kept inside the file's transaction,
// and a file outside a transaction that needs one session across its
// statements refused before it starts.

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// PoolerError says a file cannot run through a transaction-mode pooler:
// it runs outside a transaction and needs one database session across its
// statements (Line, Statement), or session SQL or a lock timeout would
// have to be set on a session the pooler does not keep (Statement empty).
// Nothing of the file ran. The fix is a direct connection to the server,
// or session pooling.
type PoolerError struct {
	File      string
	Line      int
	Statement string // the statement's first line
	Reason    string
	// Evidence is how the pooler was found (dialect.Pooler.Evidence).
	Evidence string
}

func (e *PoolerError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s cannot run through a transaction-mode connection pooler: %s; nothing of it ran; run it over a direct connection to the server (not through the pooler) or through session pooling", where, e.Reason)
}

// Pooler returns what is between the Migrator and its database: the
// WithPooler value, else what the dialect's PoolerDetector finds (probed
// once), else no pooler.
func (m *Migrator) Pooler(ctx context.Context) (dialect.Pooler, error) {
	m.mu.Lock()
	known := m.cfg.pooler
	m.mu.Unlock()
	if known != nil {
		return *known, nil
	}
	pd, ok := m.d.(dialect.PoolerDetector)
	if !ok || m.db.Stats().MaxOpenConnections == 1 {
		// The probe needs two connections at once.
		return dialect.Pooler{}, nil
	}
	p, err := pd.DetectPooler(ctx, m.db)
	if err != nil {
		return dialect.Pooler{}, err
	}
	m.mu.Lock()
	m.cfg.pooler = &p
	m.mu.Unlock()
	return p, nil
}

// pooled reports whether the Migrator works through a transaction-mode
// pooler.
func (m *Migrator) pooled(ctx context.Context) (bool, error) {
	p, err := m.Pooler(ctx)
	return p.Transaction(), err
}

// knownPooled reports whether Pooler found (or was told of) a
// transaction-mode pooler; conn asks Pooler before a run starts.
func (m *Migrator) knownPooled() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg.pooler != nil && m.cfg.pooler.Transaction()
}

// useLease reports whether runs take the lease lock: in LockLease mode,
// and in LockAuto mode behind a transaction-mode pooler.
func (m *Migrator) useLease(ctx context.Context) (bool, error) {
	switch m.cfg.lockMode {
	case LockLease:
		return true, nil
	case LockSession:
		return false, nil
	}
	return m.pooled(ctx)
}

// localSessionSQL is the session SQL as it runs inside each transaction
// behind a pooler.
func (m *Migrator) localSessionSQL() ([]string, error) {
	pd, ok := m.d.(dialect.PoolerDetector)
	if !ok || len(m.cfg.sessionSQL) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(m.cfg.sessionSQL))
	for _, s := range m.cfg.sessionSQL {
		l := pd.Localize(s)
		if l == "" {
			return nil, &ConfigError{Msg: fmt.Sprintf("session SQL %q cannot be kept inside a transaction, which is all a transaction-mode connection pooler keeps: give only SET statements, or connect directly to the server (not through the pooler)", s)}
		}
		out = append(out, l)
	}
	return out, nil
}

// inPooledTx runs the session SQL at the start of a transaction behind a
// pooler.
func (m *Migrator) inPooledTx(ctx context.Context, ex dialect.Execer) error {
	stmts, err := m.localSessionSQL()
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := ex.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("session SQL %q: %w", s, err)
		}
	}
	return nil
}

// resetPooledTx undoes, before the commit, the session settings made in a
// transaction behind a pooler (by the session SQL or the file), so none
// stays on the server session the pooler hands the next client.
func (r *run) resetPooledTx(ctx context.Context, ex dialect.Execer) error {
	if !r.m.knownPooled() || !r.changed && len(r.m.cfg.sessionSQL) == 0 {
		return nil
	}
	r.changed = false
	_, err := ex.ExecContext(ctx, r.m.d.(dialect.PoolerDetector).ResetInTx())
	if err != nil {
		return fmt.Errorf("reset the session before the commit: %w", err)
	}
	return nil
}

// checkPooledNoTx refuses, behind a pooler, a file run outside a
// transaction that needs one session across its statements, or whose
// session SQL or lock timeout would need one. It reads the file.
func (r *run) checkPooledNoTx(step Step, path string) error {
	m := r.m
	if !m.knownPooled() {
		return nil
	}
	pd := m.d.(dialect.PoolerDetector)
	e := &PoolerError{File: step.File}
	if p, _ := m.Pooler(context.Background()); p.Evidence != "" {
		e.Evidence = p.Evidence
	}
	if len(m.cfg.sessionSQL) > 0 {
		e.Reason = "it runs outside a transaction, where the session SQL cannot be applied: each statement may run on another server session"
		return e
	}
	if r.ddlTimeout(step) > 0 {
		e.Reason = "it runs outside a transaction, where the lock timeout cannot be set: each statement may run on another server session; remove the lock timeout for this file"
		return e
	}
	for stmt, err := range m.statements(path, io.Discard, r.lim) {
		if err != nil {
			return err
		}
		if pd.NeedsSession(stmt.Text) {
			e.Line, e.Statement = stmt.Line, firstLine(stmt)
			e.Reason = fmt.Sprintf("it runs outside a transaction and its statement %q leaves session state (a setting, a temporary table, a prepared statement) for the statements after it, but the pooler runs each statement on whichever server session is free and would leave that state behind for another client", e.Statement)
			return e
		}
	}
	return nil
}

func firstLine(stmt sqlsplit.Statement) string {
	first, _, _ := strings.Cut(stmt.Text, "\n")
	if len(first) > 120 {
		first = first[:120] + "..."
	}
	return first
}

// qualifyPooled is qualify behind a pooler: the schema is read in a
// transaction that applies the session SQL first, as every transaction of
// the run will.
func (m *Migrator) qualifyPooled(ctx context.Context, c *sql.Conn) error {
	r, ok := m.d.(dialect.SchemaResolver)
	if !ok {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.resolved || m.cfg.table.Schema != "" {
		return nil
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := m.inPooledTx(ctx, tx); err != nil {
		return err
	}
	return m.resolveSchema(ctx, r, tx)
}

// needsPooledReset reports whether a transaction of stmts behind a pooler
// needs the session SQL or a reset before its commit.
func (r *run) needsPooledReset(stmts []sqlsplit.Statement) bool {
	if len(r.m.cfg.sessionSQL) > 0 {
		return true
	}
	for i := range stmts {
		if r.m.d.ChangesSession(stmts[i].Text) {
			return true
		}
	}
	return false
}
