package config

import (
	"context"
	"database/sql"

	"github.com/strata-db/strata/dialect"
)

// DetectPooler asks the target's dialect (dialect.PoolerDetector) whether
// db, opened with t.DB, goes through a transaction-mode connection pooler
// such as PgBouncer in transaction mode. When it does, and the URL does
// not choose default_query_exec_mode itself, every connection db opens from
// then on sends no named prepared statement (pgx's exec mode: one unnamed
// statement per query, parsed and run in one round trip), which such a
// pooler cannot keep: PgBouncer before 1.21 hands the next query another
// server session, where the statement does not exist. The detector closes
// the connections it probed with, so none opened before is reused.
func (t *Target) DetectPooler(ctx context.Context, db *sql.DB) (dialect.Pooler, error) {
	pd, ok := t.Dialect.(dialect.PoolerDetector)
	if !ok {
		return dialect.Pooler{}, nil
	}
	p, err := pd.DetectPooler(ctx, db)
	if err != nil {
		return dialect.Pooler{}, t.ScrubError(err)
	}
	if p.Transaction() && t.pooled != nil {
		t.pooled.Store(true)
	}
	return p, nil
}

// NoPreparedStatements reports whether connections of this target send no
// named prepared statements (a transaction-mode pooler was found, or
// UnnamedStatements was called).
func (t *Target) NoPreparedStatements() bool {
	if t.execModeSet {
		return false
	}
	return t.pooled != nil && t.pooled.Load() || t.unnamed != nil && t.unnamed.Load()
}

// UnnamedStatements makes every connection t opens from now on send its
// queries as unnamed statements, each parsed and run in one round trip,
// unless the URL chose default_query_exec_mode itself. It is for a pool
// whose queries are seldom repeated, such as a fleet of schemas where each
// target's history queries name its own schema: a named prepared statement
// would cost a round trip of its own and serve one target only. A no-op
// for targets whose driver has no such choice.
func (t *Target) UnnamedStatements() {
	if t.unnamed != nil {
		t.unnamed.Store(true)
	}
}
