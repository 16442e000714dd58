// Package fleet applies one migrations folder to many databases or
// schemas: a bounded pool of workers, fail-fast or carry on, a canary group
// first, progress through a callback and one outcome per target. It never
// prints; the strata command renders its progress and outcomes.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/source"
)

// Target is one database (or schema) of a fleet.
type Target struct {
	// Name identifies the target: unique in the fleet, stable across runs
	// (Shard hashes it) and safe to print, so it never holds a password.
	Name string
	// URL is the redacted URL, for display.
	URL string
	// Open connects to the target and returns a Migrator for it and what
	// to close when done. Up and Status call it; a custom Func may not.
	Open func(ctx context.Context) (*strata.Migrator, io.Closer, error)
}

// Result says how a target ended.
type Result string

// The results of a target.
const (
	OK      Result = "ok"      // the function returned no error
	Failed  Result = "failed"  // the function returned an error
	Skipped Result = "skipped" // never started: see the outcome's error for why
)

// Report is what a Func says about a target it worked on, also when it
// fails part-way.
type Report struct {
	// Applied counts the files applied.
	Applied int
	// Version is the target's version afterwards (zero when unknown or
	// nothing is applied).
	Version source.Version
	// Ahead lists the versions applied above the folder's newest file
	// (strata.Status.Ahead): the target is ahead of the folder.
	Ahead []source.Version
	// Status is the target's status, for functions that read it.
	Status *strata.Status
}

// Outcome is how one target ended.
type Outcome struct {
	Target   Target
	Result   Result
	Err      error // why it failed or was skipped; nil when OK
	Duration time.Duration
	Report
}

// Func is the work done on one target. It must honour ctx.
type Func func(ctx context.Context, t Target) (Report, error)

// Progress is the state of a run, reported after every start and finish.
type Progress struct {
	Total   int // targets in the run
	Done    int // finished, ok or failed
	Failed  int // finished with an error
	Running int // started, not finished
	Skipped int // will not start (known only at the end of a phase)
	// Started is the target that just started, or nil.
	Started *Target
	// Finished is the outcome of the target that just finished, or nil.
	Finished *Outcome
}

// Options says how to run a fleet.
type Options struct {
	// Parallel is how many targets run at once (values below 1 mean 1).
	Parallel int
	// FailFast stops starting targets after the first failure; those
	// running finish. By default every target is tried.
	FailFast bool
	// Canary runs the first Canary targets first, with at most
	// min(Parallel, Canary) at once, and stops before the rest if any
	// of them fails.
	Canary int
	// Progress, when set, receives the run's state after every start and
	// finish. Calls never overlap (they are made under the run's lock):
	// keep it quick.
	Progress func(Progress)
}

// Reasons a target was skipped; the outcome's Err wraps one of them.
var (
	// ErrCanaryFailed: a target of the canary group failed.
	ErrCanaryFailed = errors.New("not started: a canary target failed; fix it and run again")
	// ErrFailFast: an earlier target failed and FailFast is set.
	ErrFailFast = errors.New("not started: an earlier target failed and fail-fast is set; fix it and run again")
)

// Run calls f for every target, at most opts.Parallel at once, in the
// order of targets, and returns their outcomes in that order. Cancelling
// ctx stops starting targets (f sees the cancelled ctx); the targets not
// started are Skipped with ctx's error.
func Run(ctx context.Context, targets []Target, opts Options, f Func) []Outcome {
	r := &run{f: f, opts: opts, out: make([]Outcome, len(targets))}
	r.prog.Total = len(targets)
	for i, t := range targets {
		r.out[i] = Outcome{Target: t, Result: Skipped}
	}
	workers := max(opts.Parallel, 1)
	canary := min(max(opts.Canary, 0), len(targets))
	if canary > 0 {
		r.phase(ctx, 0, canary, min(workers, canary), false)
		if r.prog.Failed > 0 {
			r.skip(canary, ErrCanaryFailed)
			return r.out
		}
	}
	r.phase(ctx, canary, len(targets), workers, opts.FailFast)
	return r.out
}

// run is the state of one Run.
type run struct {
	f    Func
	opts Options
	out  []Outcome

	mu   sync.Mutex
	next int
	prog Progress
}

// phase runs targets [from, to) with n workers. With failFast a failure
// stops further starts.
func (r *run) phase(ctx context.Context, from, to, n int, failFast bool) {
	r.next = from
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				i, ok := r.take(ctx, to, failFast)
				if !ok {
					return
				}
				r.finish(i, r.call(ctx, i))
			}
		})
	}
	wg.Wait()
	if r.next < to {
		var why error = ErrFailFast
		if err := ctx.Err(); err != nil {
			why = fmt.Errorf("not started: %w", context.Cause(ctx))
		}
		r.skip(r.next, why)
	}
}

// take claims the next target to start, unless the run must stop.
func (r *run) take(ctx context.Context, to int, failFast bool) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next >= to || ctx.Err() != nil || (failFast && r.prog.Failed > 0) {
		return 0, false
	}
	i := r.next
	r.next++
	r.prog.Running++
	r.report(&r.out[i].Target, nil)
	return i, true
}

// call runs f on target i, turning a panic into a failure.
func (r *run) call(ctx context.Context, i int) (o Outcome) {
	o.Target = r.out[i].Target
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			o.Err = fmt.Errorf("panic: %v", p)
		}
		o.Duration = time.Since(start)
		o.Result = OK
		if o.Err != nil {
			o.Result = Failed
		}
	}()
	o.Report, o.Err = r.f(ctx, o.Target)
	return o
}

func (r *run) finish(i int, o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out[i] = o
	r.prog.Running--
	r.prog.Done++
	if o.Result == Failed {
		r.prog.Failed++
	}
	r.report(nil, &r.out[i])
}

// skip marks every target from index from that has not run as skipped
// for why.
func (r *run) skip(from int, why error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := from; i < len(r.out); i++ {
		if r.out[i].Result == Skipped && r.out[i].Err == nil {
			r.out[i].Err = why
			r.prog.Skipped++
		}
	}
	r.report(nil, nil)
}

// report calls the progress callback; r.mu is held.
func (r *run) report(started *Target, finished *Outcome) {
	if r.opts.Progress == nil {
		return
	}
	p := r.prog
	p.Started, p.Finished = started, finished
	r.opts.Progress(p)
}

// Count tallies outcomes by result.
func Count(out []Outcome) (ok, failed, skipped int) {
	for _, o := range out {
		switch o.Result {
		case OK:
			ok++
		case Failed:
			failed++
		default:
			skipped++
		}
	}
	return ok, failed, skipped
}
