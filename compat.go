package strata

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

// CompatQuery is one query the deployed application runs, with $1 or ?
// placeholders where it sends values.
type CompatQuery struct {
	Text string
	// File and Line say where the query was read (a queries file).
	File string
	Line int
}

// The kinds of CompatProblem.
const (
	// CompatPrepare: the query no longer prepares (a table, column,
	// function or type it uses is gone or changed).
	CompatPrepare = "prepare"
	// CompatNotNull: the query is an INSERT whose column list leaves out
	// a NOT NULL column without a default, which preparing does not catch.
	CompatNotNull = "not_null"
)

// CompatProblem is one query that fails against the schema the migrations
// produce.
type CompatProblem struct {
	Query CompatQuery
	Kind  string // CompatPrepare or CompatNotNull
	// File, Version and Line name the migration file and the statement in
	// it that broke the query: File is the first file after which the
	// query fails; Line is the first statement of that file that names
	// what the server's message names (a table, a column, a function),
	// or the file's first statement when none does. Empty for a query
	// that fails before any pending file.
	File    string
	Version string
	Line    int
	// Code and Message are the server's error for CompatPrepare. For
	// CompatNotNull Message says which columns are missing.
	Code, Message string
	// Table and Columns are, for CompatNotNull, the table the INSERT
	// writes and the required columns it does not name.
	Table   string
	Columns []string
}

// CompatOptions say which migrations the deployed application's database
// already has.
type CompatOptions struct {
	// Applied are the IDs of the migrations applied to the application's
	// database (Status: StateApplied). They are applied first; the
	// queries must prepare after them, and each one that no longer
	// prepares after a later (pending) file is a problem of that file.
	Applied []string
	// Skip are the IDs of pending migrations the coming run will not
	// apply (a post-deploy file while the pre-deploy phase runs): they
	// are not applied to the scratch database either.
	Skip []string
}

// CompatResult is what Compat found.
type CompatResult struct {
	Queries int      // the number of queries checked
	Pending []string // the pending files, in the order they were applied
	// Broken are the queries that prepare against the current schema and
	// fail after a pending file.
	Broken []CompatProblem
	// Failing are the queries that fail already against the current
	// schema (before any pending file): not the pending files' doing.
	Failing []CompatProblem
	// Failed is the failure of a migration file on the scratch database
	// (a *StatementError naming file:line), after which nothing more
	// was checked.
	Failed error
	// Checking is the time spent preparing and checking queries, apart
	// from applying the files.
	Checking time.Duration
}

// OK reports whether every file applied and no query broke.
func (r *CompatResult) OK() bool { return r.Failed == nil && len(r.Broken) == 0 }

// ErrCompatUnsupported is returned by Compat when the dialect cannot
// prepare queries (dialect.QueryChecker).
var ErrCompatUnsupported = errors.New("this database cannot check queries without running them")

// Compat checks that the deployed application's queries still work with
// the schema the pending migrations produce. The Migrator's database must
// be a new, empty scratch database (as for Verify): Compat applies every
// migration to it through the engine, one file at a time, and checks the
// queries once the files in opts.Applied are in (the current schema) and
// again after each pending file, each query by preparing it and each
// INSERT by comparing its column list with the table's required columns.
// A query that fails is reported once, with the first file after which it
// fails. The returned error is for problems outside the files and queries.
func (m *Migrator) Compat(ctx context.Context, queries []CompatQuery, opts CompatOptions) (*CompatResult, error) {
	qc, ok := m.d.(dialect.QueryChecker)
	if !ok {
		return nil, fmt.Errorf("%s: %w", m.d.Name(), ErrCompatUnsupported)
	}
	p, err := m.Plan(ctx, PlanOptions{})
	if err != nil {
		return nil, err
	}
	res := &CompatResult{Queries: len(queries)}
	ck := &checker{m: m, qc: qc, opts: sqlsplit.Options{Dialect: m.d.Scanner()}}
	ck.parse(queries)
	err = m.underLock(ctx, p, func(r *run, steps []Step) error {
		baseline := false
		for _, step := range steps {
			pending := !slices.Contains(opts.Applied, step.Migration.ID())
			if pending && slices.Contains(opts.Skip, step.Migration.ID()) {
				continue
			}
			if pending && !baseline {
				if err := ck.check(ctx, r, res, nil); err != nil {
					return err
				}
				baseline = true
			}
			err := r.one(ctx, step)
			if err == nil {
				err = r.resetAfter(ctx, step)
			}
			if err != nil {
				var se *StatementError
				var fe *source.FileError
				if errors.As(err, &se) || errors.As(err, &fe) {
					res.Failed = err
					return nil
				}
				return err
			}
			if pending {
				res.Pending = append(res.Pending, step.File)
				if err := ck.check(ctx, r, res, &step); err != nil {
					return err
				}
			}
		}
		if !baseline {
			return ck.check(ctx, r, res, nil)
		}
		return nil
	})
	return res, err
}
