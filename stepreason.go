package strata

import (
	"fmt"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// ReasonKind says why a [Step] runs outside a transaction, so callers need
// not read [Step.Reason].
type ReasonKind string

// The reasons a step runs outside a transaction ("" when it runs in one).
const (
	// ReasonNoTransactionDirective: the file says -- strata:no-transaction.
	ReasonNoTransactionDirective ReasonKind = "no_transaction_directive"
	// ReasonResuming: the file stopped half-way outside a transaction and
	// is continued from the statement after the last one that completed.
	ReasonResuming ReasonKind = "resuming"
	// ReasonTransactionControl: the file manages its own transactions
	// (BEGIN/COMMIT); [Step.Line] is the statement's line.
	ReasonTransactionControl ReasonKind = "transaction_control"
	// ReasonImplicitCommit: the database commits DDL implicitly
	// ([Plan.TransactionalDDL] is false), so the statement at
	// [Step.Line] cannot be rolled back.
	ReasonImplicitCommit ReasonKind = "implicit_commit"
	// ReasonStatement: the statement at [Step.Line] cannot run inside a
	// transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...).
	ReasonStatement ReasonKind = "statement"
)

// Direction says whether a file applies a migration or rolls it back.
type Direction string

// The directions of a file.
const (
	DirectionUp   Direction = "up"   // the up file (or a repeatable) is applied
	DirectionDown Direction = "down" // the down file rolls the migration back
)

// noTxStatement marks step as running outside a transaction when stmt
// cannot run in one, with the reason, its kind and the statement's line.
func (m *Migrator) noTxStatement(step *Step, stmt sqlsplit.Statement) {
	r := m.d.NoTransactionReason(stmt.Text)
	if r == "" {
		return
	}
	kind := ReasonStatement
	switch {
	case dialect.IsTransactionControl(stmt.Text):
		kind = ReasonTransactionControl
	case !m.d.TransactionalDDL():
		kind = ReasonImplicitCommit
	}
	step.Transactional, step.Reason = false, fmt.Sprintf("%s (line %d)", r, stmt.Line)
	step.ReasonKind, step.Line = kind, stmt.Line
}
