package strata

import (
	"fmt"

	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// The one policy for a history that changed between a plan and the lock,
// in every direction (Apply, Redo, Verify, Rehearse): under the
// lock the plan is made again from the history read there. Files the
// caller's plan listed that another run applied (or rolled back) meanwhile
// are skipped; the others run as the history now says (a resumed file from
// where it stopped). A file the caller's plan did not list is never run:
// the run refuses with ErrHistoryChanged before anything runs.

// replanned returns the steps to run: fresh, the plan made again under the
// lock, once every one of its steps is one the caller's plan listed.
func replanned(planned, fresh []Step) ([]Step, error) {
	listed := make(map[string]bool, len(planned))
	for _, s := range planned {
		listed[s.Migration.ID()] = true
	}
	for _, s := range fresh {
		if !listed[s.Migration.ID()] {
			return nil, fmt.Errorf("%s is now to run but the plan did not list it: %w", s.File, ErrHistoryChanged)
		}
	}
	return fresh, nil
}

// downAgain makes a down plan again from st, the history read under the
// lock, for the versions p listed: every applied version down to the
// newest one below p's oldest step, so a version applied meanwhile above
// it shows up (and refuses) and one rolled back meanwhile is skipped.
func (m *Migrator) downAgain(st *Status, p *Plan) ([]Step, error) {
	oldest := p.Steps[len(p.Steps)-1].Migration.Version
	to, _ := source.ParseVersion("0")
	for _, ms := range st.Migrations {
		if ms.rec == nil || ms.rec.Status != history.Applied || ms.Kind == string(source.Repeatable) {
			continue
		}
		if ms.Version.Compare(oldest) < 0 && ms.Version.Compare(to) > 0 {
			to = ms.Version
		}
	}
	fresh, err := m.planDown(st, DownOptions{To: to, Reason: p.down.Reason}, p.limit)
	if err != nil {
		return nil, err
	}
	return replanned(p.Steps, fresh.Steps)
}
