package strata

import (
	"fmt"
	"strings"

	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// Phases (docs/phases.md): a file runs before the application's rollout
// (source.PreDeploy, expand) or after it (source.PostDeploy, contract).
// A plan made with PlanOptions.Phase covers only that phase's files; the
// versions stay one sequence in one history table.

// WithPostDeployDir sets the sub-folder of the migrations folder whose
// files are post-deploy files (source.LoadOptions.PostDeployDir; ""
// is source.DefaultPostDeployDir). A file may also say so itself with
// "-- strata:phase post-deploy".
func WithPostDeployDir(dir string) Option {
	return func(c *config) error { c.load.PostDeployDir = dir; return nil }
}

// PhaseSkip is a pending file of the other phase that a phased plan
// leaves alone.
type PhaseSkip struct {
	Version source.Version
	ID      string
	File    string // display name
	Phase   source.Phase
	// Behind is set for a post-deploy file below a pre-deploy file that
	// is applied or that the plan applies: a later release's expand
	// files arrived while it waited. It is reported, never reordered:
	// the post-deploy phase still applies it.
	Behind bool
}

// PhaseOrderError refuses a post-deploy plan while a pre-deploy file
// below one of its files is still pending: the contract step must not run
// before the expand step it follows.
type PhaseOrderError struct {
	// File is the first post-deploy file that would run too early.
	File string
	// Pending are the earlier pre-deploy files still pending, in order.
	Pending []PhaseSkip
}

func (e *PhaseOrderError) Error() string {
	files := make([]string, len(e.Pending))
	for i, p := range e.Pending {
		files[i] = p.File
	}
	return fmt.Sprintf("the post-deploy file %s cannot run yet: the earlier pre-deploy file(s) %s are still pending; apply the pre-deploy phase first",
		e.File, strings.Join(files, ", "))
}

// phaseOf is a status row's phase: the file's, else the recorded one,
// else pre-deploy (rows written before phases were recorded).
func phaseOf(mig *source.Migration, r *history.Record) source.Phase {
	switch {
	case mig != nil:
		return mig.Phase
	case r != nil && r.Phase != "":
		return source.Phase(r.Phase)
	}
	return source.PreDeploy
}

// postCurrent is the highest applied version of a post-deploy file. A
// pending post-deploy file is out of order only below it: one below an
// applied pre-deploy file is the normal result of a pre-deploy run that
// skipped it (PhaseSkip.Behind).
func (m *Migrator) postCurrent(recs []history.Record) source.Version {
	var cur source.Version
	for i := range recs {
		r := &recs[i]
		if r.Kind == history.KindRepeatable || r.Status != history.Applied {
			continue
		}
		v, err := source.ParseVersion(r.Version)
		if err != nil {
			continue
		}
		if phaseOf(m.dir.Find(v), r) == source.PostDeploy && v.Compare(cur) > 0 {
			cur = v
		}
	}
	return cur
}

// byPhase narrows the steps of a plan to opts.Phase and lists the pending
// files it leaves alone; without a phase it returns the steps unchanged.
func byPhase(st *Status, steps []Step, phase source.Phase) ([]Step, []PhaseSkip, error) {
	if phase == "" {
		return steps, nil, nil
	}
	var kept []Step
	var skipped []PhaseSkip
	var lastPre, lastPost source.Version // highest pre-deploy and post-deploy steps
	for _, s := range steps {
		mig := s.Migration
		if mig.Phase == phase {
			kept = append(kept, s)
			if mig.Kind == source.Versioned && mig.Version.Compare(lastPre) > 0 && phase == source.PreDeploy {
				lastPre = mig.Version
			}
			if mig.Kind == source.Versioned && mig.Version.Compare(lastPost) > 0 && phase == source.PostDeploy {
				lastPost = mig.Version
			}
			continue
		}
		skipped = append(skipped, PhaseSkip{Version: mig.Version, ID: mig.ID(), File: s.File, Phase: mig.Phase})
	}
	switch phase {
	case source.PreDeploy:
		top := st.Current
		if lastPre.Compare(top) > 0 {
			top = lastPre
		}
		for i := range skipped {
			sk := &skipped[i]
			sk.Behind = sk.Phase == source.PostDeploy && !sk.Version.IsZero() && sk.Version.Compare(top) < 0
		}
	case source.PostDeploy:
		var early []PhaseSkip
		for _, sk := range skipped {
			if !sk.Version.IsZero() && sk.Version.Compare(lastPost) < 0 {
				early = append(early, sk)
			}
		}
		if len(early) > 0 {
			e := &PhaseOrderError{Pending: early}
			for _, s := range kept {
				if s.Migration.Kind == source.Versioned && s.Migration.Version.Compare(early[0].Version) > 0 {
					e.File = s.File
					break
				}
			}
			return nil, nil, e
		}
	}
	return kept, skipped, nil
}
