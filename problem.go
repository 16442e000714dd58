package strata

import (
	"fmt"
	"strings"
)

// ProblemKind says what is wrong in a [Problem].
type ProblemKind string

// The kinds of [Problem]. A plan to apply ([Migrator.Plan]) is refused for
// the kinds that share their name with a [State]; a plan to roll back
// ([Migrator.PlanDown]) for ProblemNoDownFile, ProblemEdited,
// ProblemMissing, ProblemAhead and ProblemIncomplete.
const (
	ProblemEdited      ProblemKind = "edited"       // an applied file was edited ([StateEdited])
	ProblemMissing     ProblemKind = "missing"      // an applied file is gone from the folder ([StateMissing])
	ProblemOutOfOrder  ProblemKind = "out_of_order" // a pending file is numbered below the current version ([StateOutOfOrder])
	ProblemFailed      ProblemKind = "failed"       // a file failed before any statement completed ([StateFailed])
	ProblemPartial     ProblemKind = "partial"      // a file stopped half-way ([StatePartial])
	ProblemRunning     ProblemKind = "running"      // another run is applying the file ([StateRunning])
	ProblemInterrupted ProblemKind = "interrupted"  // a run of the file died half-way ([StateInterrupted])
	ProblemAhead       ProblemKind = "ahead"        // the database is ahead of the folder ([StateAhead])
	ProblemNoDownFile  ProblemKind = "no_down_file" // down: the migration has no .down.sql file
	ProblemIncomplete  ProblemKind = "incomplete"   // down: the history has a failed, partial, running or interrupted row
)

// Problem is one reason a plan was refused: a way the database's history
// disagrees with the migrations folder, or a file that needs a human
// before strata goes on. A [RefusedError] holds them; [Status.Problems]
// lists those that block [Migrator.Plan].
type Problem struct {
	// Direction is the refused plan's: [DirectionDown] for a roll-back.
	Direction Direction
	Kind      ProblemKind
	Version   string // the migration's version (or ID for repeatables)
	File      string // display name of the file, or the recorded file when it is gone
	Detail    string // what was found
	// Hint says what to do, in terms of this package's API; front ends
	// phrase their own hint from Remedy and the fields below.
	Hint string
	// Remedy is the kind of fix Hint describes.
	Remedy Remedy
	// Current is the highest applied version, for [ProblemOutOfOrder].
	Current string
	// Applied is how many statements completed, and Line the line of the
	// next one (0 when unknown), for a file that stopped half-way.
	Applied, Line int
	// RecordedFile is the file the history row names: the down file when
	// a down run stopped half-way ([RemedyResolveDownRow]).
	RecordedFile string
	// ResumeRefused is set when resuming was asked for but cannot continue
	// this row (a down file stopped half-way: [RemedyResolveDownRow]).
	ResumeRefused bool
	// DownFile is the display name of the down file to write, for
	// [RemedyWriteDownFile].
	DownFile string
}

// RefusedError reports every [Problem] a plan was refused for, found
// before anything ran. Nothing was changed. Callers branch on it with
// [errors.As], and on each problem's [Remedy].
type RefusedError struct {
	// Direction is the refused plan's: [DirectionDown] for a roll-back.
	Direction Direction
	Problems  []Problem
}

// Error lists every problem with what to do about it.
func (e *RefusedError) Error() string {
	var b strings.Builder
	b.WriteString(e.prefix())
	if len(e.Problems) > 1 {
		fmt.Fprintf(&b, ": %d problems:", len(e.Problems))
	}
	for _, p := range e.Problems {
		if len(e.Problems) > 1 {
			b.WriteString("\n  ")
		} else {
			b.WriteString(": ")
		}
		fmt.Fprintf(&b, "%s: %s; %s", p.File, p.Detail, p.Hint)
	}
	return b.String()
}

// prefix is what the message starts with.
func (e *RefusedError) prefix() string {
	if e.Direction == DirectionDown {
		return "refusing to roll back"
	}
	return "refusing to migrate"
}

// Has reports whether the error holds a problem of kind k.
func (e *RefusedError) Has(k ProblemKind) bool {
	for _, p := range e.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}
