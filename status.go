package strata

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/history"
	"github.com/strata-db/strata/source"
)

// State is a migration's state, comparing the folder with the history.
type State string

// The states a migration can be in.
const (
	StateApplied     State = "applied"      // recorded and unchanged
	StatePending     State = "pending"      // in the folder, not applied
	StateFailed      State = "failed"       // a non-transactional run failed before any statement completed
	StatePartial     State = "partial"      // a non-transactional run failed after some statements completed
	StateRunning     State = "running"      // a non-transactional run is in progress (the lock is held)
	StateInterrupted State = "interrupted"  // a non-transactional run died: history says running but nobody holds the lock
	StateEdited      State = "edited"       // applied, but the file's checksum changed
	StateMissing     State = "missing"      // applied, but the file is gone
	StateOutOfOrder  State = "out_of_order" // pending, but lower than the highest applied version
	// StateAhead is an applied migration whose file is not in the folder
	// and whose version is above the folder's newest file: the database
	// was migrated by a newer release (a rolling deploy, a rollback, an
	// old instance restarting). It is not a problem unless
	// [WithFailIfAhead] is set.
	StateAhead State = "ahead"
)

// MigrationStatus is one migration's state.
type MigrationStatus struct {
	Version           source.Version
	ID                string // canonical version, or R__description for repeatables
	Name              string
	File              string // display name; for missing files, the recorded name
	Kind              string // versioned, repeatable or baseline
	State             State
	Checksum          string // the file's checksum (the recorded one when missing)
	RecordedChecksum  string // the checksum in history, when applied
	AppliedAt         time.Time
	Duration          time.Duration
	StatementsApplied int
	StatementsTotal   int
	AppliedBy         string
	Error             string
	// LastLine and NextLine are the lines of the last statement that
	// completed and of the one after it, for failed, partial and
	// interrupted files (0 when unknown).
	LastLine, NextLine int
	// Executing names the connection on which a running file's statement
	// is still executing although the run that sent it is gone ("connection
	// 42"), when the database can tell.
	Executing string
	// NextMayHaveRun is set for an interrupted file whose next statement
	// may have completed on the server after its run died, unrecorded.
	NextMayHaveRun bool
	// Phase is the file's phase (the recorded one when missing).
	Phase     source.Phase
	Migration *source.Migration // nil when missing
	// Record is a copy of the migration's history row, nil when it has
	// none (pending, or rolled back).
	Record *Record
	rec    *history.Record // the row as read, for the library's own use
}

// Status is the state of every migration in the folder and the history.
type Status struct {
	// Current is the highest applied version (zero when none).
	Current source.Version
	// Head is the highest version in the folder (zero when none).
	Head source.Version
	// Pending counts the files that are not yet fully applied: pending,
	// out of order, and those that stopped half-way.
	Pending int
	// Migrations is ordered by version.
	Migrations []MigrationStatus
	// HistoryExists is false when the history table has not been created.
	HistoryExists bool
	// Ahead lists, in order, the applied versions above Head whose files
	// are not in the folder ([StateAhead]): the database is ahead of this
	// folder by these migrations. Empty when the folder is empty, so a
	// wrong --dir is not taken for an old release.
	Ahead []source.Version
	// InvalidIndexes lists the invalid indexes in the schema (PostgreSQL),
	// as a failed CREATE INDEX CONCURRENTLY leaves them: drop them before
	// running that file again.
	InvalidIndexes []string
}

// Problems returns the states that block [Migrator.Apply] of an up plan,
// with their hints. Rows
// that are ahead of the folder are not among them: see [Status.AheadProblem].
func (s *Status) Problems(allowOutOfOrder bool) []Problem {
	var out []Problem
	for _, ms := range s.Migrations {
		p := Problem{Direction: DirectionUp, Kind: ProblemKind(ms.State), Version: ms.ID, File: ms.File}
		switch ms.State {
		case StateEdited:
			p.Detail = fmt.Sprintf("applied file was edited (checksum %s, recorded %s)", short(ms.Checksum), short(ms.RecordedChecksum))
			p.Remedy = RemedyAcceptEdit
			p.Hint = "restore the file as it was applied and put the change in a new migration; if the edit is deliberate and harmless (comments, formatting), accept it with Resolve and ResolveAcceptEdit"
		case StateMissing:
			p.Detail = "applied migration " + ms.ID + " is missing from the folder"
			p.Remedy = RemedyRestoreFile
			p.Hint = "restore the file; applied migrations must stay in the folder"
		case StateOutOfOrder:
			if allowOutOfOrder {
				continue
			}
			p.Detail = fmt.Sprintf("pending version %s is lower than the highest applied version %s", ms.ID, s.Current)
			p.Remedy, p.Current = RemedyAllowOutOfOrder, s.Current.String()
			p.Hint = "renumber it above " + s.Current.String() + ", or allow out-of-order files (WithAllowOutOfOrder) to apply it anyway"
		case StateRunning:
			p.Detail = describeIncomplete(ms)
			p.Remedy = RemedyWait
			p.Hint = "another run holds the migration lock and is applying it: wait for it to finish"
		case StateFailed, StatePartial, StateInterrupted:
			p.Detail = describeIncomplete(ms)
			p.Applied, p.Line = ms.StatementsApplied, ms.NextLine
			p.Remedy, p.Hint = recoveryHint(ms)
			if p.Remedy == RemedyResolveDownRow {
				p.RecordedFile = ms.rec.File
			}
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// AheadDetail says how far the database is ahead of the folder ("the
// database is ahead of this folder: 2 applied migrations newer than 0005
// (0006, 0007)"), or "" when it is not.
func (s *Status) AheadDetail() string {
	if len(s.Ahead) == 0 {
		return ""
	}
	const show = 5
	vs := make([]string, 0, show+1)
	for i, v := range s.Ahead {
		if i == show-1 && len(s.Ahead) > show {
			vs = append(vs, "...", s.Ahead[len(s.Ahead)-1].String())
			break
		}
		vs = append(vs, v.String())
	}
	n := "1 applied migration"
	if len(s.Ahead) > 1 {
		n = fmt.Sprintf("%d applied migrations", len(s.Ahead))
	}
	return fmt.Sprintf("the database is ahead of this folder: %s newer than %s (%s)", n, s.Head, strings.Join(vs, ", "))
}

// AheadProblem is the problem a database ahead of the folder is when
// [WithFailIfAhead] is set; ok is false when it is not ahead.
func (s *Status) AheadProblem() (p Problem, ok bool) {
	if len(s.Ahead) == 0 {
		return Problem{}, false
	}
	p = Problem{Direction: DirectionUp, Kind: ProblemAhead, Version: s.Ahead[0].String(), Detail: s.AheadDetail(),
		Remedy: RemedyDeployNewerRelease,
		Hint:   "deploy the release whose folder has these files; or, to let an older release run against a newer database, do not set WithFailIfAhead"}
	for _, ms := range s.Migrations {
		if ms.State == StateAhead {
			p.Version, p.File = ms.ID, ms.File
			break
		}
	}
	return p, true
}

// recoveryHint says how to continue or settle a file that stopped
// half-way, and the kind of remedy that is.
func recoveryHint(ms MigrationStatus) (Remedy, string) {
	if downRow(ms) {
		// up --resume refuses such a row (it would continue the up file
		// from the down file's progress): only resolve settles it.
		h := "a down file stopped after " + fmt.Sprint(ms.StatementsApplied) + " of its statements"
		if ms.NextLine > 0 {
			h += fmt.Sprintf(" (the next is at line %d of %s)", ms.NextLine, ms.rec.File)
		}
		return RemedyResolveDownRow, h + "; look at the database, then either finish the rollback by hand and record it with Resolve and ResolveRolledBack (up runs the file again)" +
			", or undo what the down file did by hand and record it with Resolve and ResolveApplied (the migration stays applied)"
	}
	h := "look at the database, then either continue from statement " + fmt.Sprint(ms.StatementsApplied+1)
	if ms.NextLine > 0 {
		h += fmt.Sprintf(" (line %d)", ms.NextLine)
	}
	h += " once its cause is fixed (PlanOptions.Resume)" +
		"; or, if you completed the file by hand, Resolve with ResolveApplied" +
		"; or, if you undid what ran by hand, Resolve with ResolveRolledBack"
	return RemedyResume, h
}

// downRow reports whether ms's row was left by its down file stopping
// half-way (the row names the down file while it runs).
func downRow(ms MigrationStatus) bool {
	return ms.rec != nil && ms.Migration != nil && ms.Migration.DownPath != "" && ms.rec.File == ms.Migration.DownPath
}

func describeIncomplete(ms MigrationStatus) string {
	var d string
	last := ""
	if ms.LastLine > 0 {
		last = fmt.Sprintf("; the last statement that completed starts at line %d", ms.LastLine)
		if downRow(ms) {
			last += " of " + ms.rec.File
		}
	}
	switch ms.State {
	case StateRunning:
		d = fmt.Sprintf("a run of this file is in progress (%d of %d statements applied)", ms.StatementsApplied, ms.StatementsTotal)
		if ms.Executing != "" {
			d = fmt.Sprintf("statement %d of this file is still executing on %s, although the run that sent it may be gone (%d of %d statements recorded as applied)",
				ms.StatementsApplied+1, ms.Executing, ms.StatementsApplied, ms.StatementsTotal)
		}
	case StateInterrupted:
		d = fmt.Sprintf("a run of this file was interrupted (the process died or lost its connection) after %d of %d statements%s", ms.StatementsApplied, ms.StatementsTotal, last)
		if ms.NextMayHaveRun {
			d += fmt.Sprintf("; statement %d (line %d) may have completed on the server after the run died: check before resuming runs it again", ms.StatementsApplied+1, ms.NextLine)
		}
	case StateFailed:
		d = fmt.Sprintf("this file failed before any statement completed (%d of %d applied)", ms.StatementsApplied, ms.StatementsTotal)
	default:
		d = fmt.Sprintf("this file stopped half-way: %d of %d statements applied%s", ms.StatementsApplied, ms.StatementsTotal, last)
	}
	if ms.Error != "" {
		d += ": " + ms.Error
	}
	return d
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// Status reads the history (one query) and compares it with the folder.
// It takes no lock and changes nothing. On PostgreSQL it also lists the
// invalid indexes in the search path (one more query).
func (m *Migrator) Status(ctx context.Context) (*Status, error) {
	return m.statusOf(ctx, true)
}

// StatusOptions says what [Migrator.StatusWith] reads besides the history.
type StatusOptions struct {
	// SkipInvalidIndexes leaves [Status.InvalidIndexes] empty and saves
	// the query that lists them (PostgreSQL). That query scans every index
	// of the database, so over a fleet of many tenant schemas in one
	// database its cost grows with the fleet on every tenant: a fleet
	// summary that does not show them should skip it.
	SkipInvalidIndexes bool
}

// StatusWith is [Migrator.Status], reading only what opts asks for.
func (m *Migrator) StatusWith(ctx context.Context, opts StatusOptions) (*Status, error) {
	return m.statusOf(ctx, !opts.SkipInvalidIndexes)
}

// statusOf is Status; withIndexes also lists invalid indexes (one more
// query), which Plan does not need, so the "nothing pending" path stays
// one query.
func (m *Migrator) statusOf(ctx context.Context, withIndexes bool) (*Status, error) {
	c, err := m.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer m.putBack(c, false)
	st, recs, err := m.readStatus(ctx, c)
	if err != nil {
		return nil, err
	}
	// All tells a missing table (nil) from an empty one from the query's
	// error: no second query.
	st.HistoryExists = recs != nil
	if ii, ok := m.d.(dialect.InvalidIndexer); ok && withIndexes {
		if st.InvalidIndexes, err = ii.InvalidIndexes(ctx, c); err != nil {
			return nil, fmt.Errorf("list invalid indexes: %w", err)
		}
	}
	return st, nil
}

func (m *Migrator) status(recs []history.Record) *Status {
	byID := make(map[string]int, len(recs)) // index in recs
	seen := make([]bool, len(recs))         // a file in the folder has recs[i]'s ID
	st := &Status{Migrations: make([]MigrationStatus, 0, len(m.dir.Versioned)+len(m.dir.Repeatable))}
	for i := range recs {
		r := &recs[i]
		byID[r.ID] = i
		if r.Kind != history.KindRepeatable && r.Status == history.Applied {
			if v, err := source.ParseVersion(r.Version); err == nil && v.Compare(st.Current) > 0 {
				st.Current = v
			}
		}
	}
	if h := m.dir.Head(); h != nil {
		st.Head = h.Version
	}
	postCur := m.postCurrent(recs)
	add := func(mig *source.Migration) {
		id := mig.ID()
		ms := MigrationStatus{Version: mig.Version, ID: id, Name: mig.Description, File: m.display(mig.Path),
			Kind: string(mig.Kind), Checksum: mig.Checksum, Migration: mig, Phase: mig.Phase}
		i, ok := byID[id]
		if !ok {
			ms.State = StatePending
			if mig.Kind == source.Versioned && mig.Version.Compare(st.Current) < 0 &&
				(mig.Phase != source.PostDeploy || mig.Version.Compare(postCur) < 0) {
				ms.State = StateOutOfOrder
			}
			st.Pending++
			st.Migrations = append(st.Migrations, ms)
			return
		}
		seen[i] = true
		r := &recs[i]
		fillRecord(&ms, r)
		switch r.Status {
		case history.Applied:
			ms.State = StateApplied
			if r.Checksum != mig.Checksum {
				if mig.Kind == source.Repeatable {
					ms.State = StatePending
					st.Pending++
				} else {
					ms.State = StateEdited
				}
			}
		case history.Running:
			ms.State = StateRunning
			st.Pending++
		case history.Failed:
			ms.State = StateFailed
			st.Pending++
		default:
			ms.State = StatePartial
			st.Pending++
		}
		st.Migrations = append(st.Migrations, ms)
	}
	for _, mig := range m.dir.Versioned {
		add(mig)
	}
	var missing []MigrationStatus
	for i := range recs {
		r := &recs[i]
		if seen[i] || r.Kind == history.KindRepeatable {
			continue
		}
		v, _ := source.ParseVersion(r.Version)
		ms := MigrationStatus{Version: v, ID: r.ID, Name: r.Name, File: m.display(r.File), Kind: string(r.Kind), State: StateMissing, Checksum: r.Checksum,
			Phase: phaseOf(nil, r)}
		fillRecord(&ms, r)
		// Only a fully applied row is ahead: one that failed, stopped
		// half-way or is running stays a problem, as does a missing
		// file below the newest one in the folder.
		if r.Status == history.Applied && !st.Head.IsZero() && v.Compare(st.Head) > 0 {
			ms.State = StateAhead
			st.Ahead = append(st.Ahead, v)
		}
		missing = append(missing, ms)
	}
	slices.SortFunc(st.Ahead, source.Version.Compare)
	if len(missing) > 0 {
		st.Migrations = append(st.Migrations, missing...)
		sort.SliceStable(st.Migrations, func(i, j int) bool {
			return st.Migrations[i].Version.Compare(st.Migrations[j].Version) < 0
		})
	}
	for _, mig := range m.dir.Repeatable {
		add(mig)
	}
	return st
}

func fillRecord(ms *MigrationStatus, r *history.Record) {
	ms.rec = r
	ms.Record = recordOf(r)
	ms.RecordedChecksum = r.Checksum
	ms.AppliedAt = r.StartedAt
	if r.FinishedAt.Valid {
		ms.AppliedAt = r.FinishedAt.Time
	}
	ms.Duration = time.Duration(r.ExecutionMS) * time.Millisecond
	ms.StatementsApplied, ms.StatementsTotal = r.StatementsApplied, r.StatementsTotal
	ms.AppliedBy, ms.Error = r.AppliedBy, r.Error
	if r.Kind == history.KindBaseline {
		ms.Kind = string(history.KindBaseline)
	}
}
