package strata

import (
	"context"
	"fmt"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/source"
)

// OtherHistory is another migration tool's history table that Apply and
// Down keep in step with strata's own while a team tries strata out, so
// that it can go back to its old tool (WithKeepWriting). Its methods
// run on the connection or in the transaction that records the file in
// strata's history: in the same transaction where the database allows.
type OtherHistory interface {
	// Applied records that the migration of version (canonical, as
	// source.Version.String gives it) was applied.
	Applied(ctx context.Context, q dialect.Execer, version string) error
	// Reverted records that its down file ran; prev is the highest
	// version still applied below it ("" when none), for tools that
	// record only the current version.
	Reverted(ctx context.Context, q dialect.Execer, version, prev string) error
}

// OtherHistoryChecker is an OtherHistory that can say, before anything
// runs, whether it can record a version (its tool's row needs what only
// the tool's own files hold). Apply asks it for every versioned file of a
// plan and refuses the plan, running nothing, when it cannot.
type OtherHistoryChecker interface {
	CanRecord(version string) error
}

// WithKeepWriting makes Apply and Down also write h, another tool's
// history table, after each versioned file they run (strata import
// --keep-writing). Files that strata pipelines are then run one
// transaction at a time instead.
func WithKeepWriting(h OtherHistory) Option {
	return func(c *config) error { c.keepWriting = h; return nil }
}

// keepApplied writes step to the other tool's history, if one is kept.
func (m *Migrator) keepApplied(ctx context.Context, q dialect.Execer, step Step) error {
	if m.cfg.keepWriting == nil || step.Migration.Kind != source.Versioned {
		return nil
	}
	return m.cfg.keepWriting.Applied(ctx, q, step.Migration.Version.String())
}

// keepReverted writes the revert of step to the other tool's history, if
// one is kept; st is the status the down run read.
func (m *Migrator) keepReverted(ctx context.Context, q dialect.Execer, step Step, st *Status) error {
	if m.cfg.keepWriting == nil || step.Migration.Kind != source.Versioned {
		return nil
	}
	var prev source.Version
	for _, ms := range st.Migrations {
		if ms.State == StateApplied && !ms.Version.IsZero() && ms.Version.Compare(step.Migration.Version) < 0 &&
			(prev.IsZero() || ms.Version.Compare(prev) > 0) {
			prev = ms.Version
		}
	}
	p := ""
	if !prev.IsZero() {
		p = prev.String()
	}
	return m.cfg.keepWriting.Reverted(ctx, q, step.Migration.Version.String(), p)
}

// keepCheck refuses a plan with a versioned file the other tool's history
// cannot record, before anything runs.
func (m *Migrator) keepCheck(steps []Step) error {
	c, ok := m.cfg.keepWriting.(OtherHistoryChecker)
	if !ok {
		return nil
	}
	for _, step := range steps {
		if step.Migration.Kind != source.Versioned {
			continue
		}
		if err := c.CanRecord(step.Migration.Version.String()); err != nil {
			return fmt.Errorf("cannot keep the other tool's history for %s, so nothing was run: %w", m.display(step.Migration.Path), err)
		}
	}
	return nil
}
