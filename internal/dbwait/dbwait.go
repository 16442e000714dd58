// Package dbwait waits until a database answers: it calls a ping function
// with exponential backoff and jitter until the ping succeeds, a deadline
// passes, or the error is one that waiting will not heal (a wrong password,
// a certificate that does not verify).
//
// It knows nothing about drivers: the caller says, through a classify
// function, which errors are worth retrying. It never prints; OnAttempt
// lets the caller log each failed attempt.
package dbwait

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Verdict is what a ping error means for waiting.
type Verdict int

const (
	// Retry: the database is not there yet (refused, reset, timeout,
	// starting up, DNS not resolvable yet); try again.
	Retry Verdict = iota
	// Fatal: waiting will not help (authentication failed, TLS
	// verification failed); give up at once.
	Fatal
	// Up: the server answered, even though the ping failed (for example
	// the database does not exist): waiting is over.
	Up
)

func (v Verdict) String() string {
	switch v {
	case Retry:
		return "retry"
	case Fatal:
		return "fatal"
	case Up:
		return "up"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Defaults for the zero values of Options.
const (
	DefaultInitial = 100 * time.Millisecond
	DefaultMax     = 5 * time.Second
	DefaultJitter  = 0.2
)

// Options tune Wait. The zero value waits until ctx is done, starting at
// DefaultInitial and doubling up to DefaultMax with DefaultJitter.
type Options struct {
	// Deadline is how long to wait in total; 0 means until ctx is done.
	Deadline time.Duration
	// Initial is the delay after the first failed attempt.
	Initial time.Duration
	// Max caps the delay between attempts.
	Max time.Duration
	// Jitter spreads each delay by up to this fraction either way
	// (0.2: ±20 %), so that many waiting clients do not retry in step.
	// Negative means none.
	Jitter float64
	// OnAttempt, if not nil, is called after every failed attempt that
	// will be retried, with the 1-based attempt number, the error and the
	// delay before the next attempt.
	OnAttempt func(attempt int, err error, next time.Duration)
}

// Result describes a wait that ended without an error.
type Result struct {
	// Attempts is the number of pings made.
	Attempts int
	// Waited is the time from the first ping to the last.
	Waited time.Duration
	// Err is the last ping's error when the server is up but the ping
	// failed (classify said Up for a non-nil error), else nil.
	Err error
}

// FatalError is returned when classify said an error will not heal.
type FatalError struct {
	Attempts int
	Err      error
}

func (e *FatalError) Error() string {
	return fmt.Sprintf("%v (this will not go away by waiting: fix the credentials, certificate or URL)", e.Err)
}

func (e *FatalError) Unwrap() error { return e.Err }

// TimeoutError is returned when the deadline passed before the database
// answered. Err is the last ping's error.
type TimeoutError struct {
	Deadline time.Duration
	Attempts int
	Err      error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("still not reachable after %s (%d attempts): %v", e.Deadline, e.Attempts, e.Err)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// Wait pings until it succeeds or classify says the server is up, and
// returns how it went. It returns a *FatalError when classify says Fatal, a
// *TimeoutError when opts.Deadline passes, and ctx's error (wrapping the
// last ping error) when ctx is done first. Each ping gets a context that
// ends at the deadline. A nil classify retries every error.
func Wait(ctx context.Context, ping func(context.Context) error, classify func(error) Verdict, opts Options) (Result, error) {
	if opts.Initial <= 0 {
		opts.Initial = DefaultInitial
	}
	if opts.Max <= 0 {
		opts.Max = DefaultMax
	}
	if opts.Max < opts.Initial {
		opts.Max = opts.Initial
	}
	if opts.Jitter == 0 {
		opts.Jitter = DefaultJitter
	}
	if classify == nil {
		classify = func(error) Verdict { return Retry }
	}
	start := time.Now()
	waitCtx := ctx
	if opts.Deadline > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, opts.Deadline)
		defer cancel()
	}
	delay := opts.Initial
	for attempt := 1; ; attempt++ {
		err := ping(waitCtx)
		res := Result{Attempts: attempt, Waited: time.Since(start)}
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return res, fmt.Errorf("%w (while waiting for the database: %v)", ctx.Err(), err)
		}
		if waitCtx.Err() == nil || !errors.Is(err, context.DeadlineExceeded) {
			switch classify(err) {
			case Up:
				res.Err = err
				return res, nil
			case Fatal:
				return res, &FatalError{Attempts: attempt, Err: err}
			}
		}
		next := jitter(delay, opts.Jitter)
		if opts.Deadline > 0 {
			left := opts.Deadline - time.Since(start)
			if left <= 0 {
				return res, &TimeoutError{Deadline: opts.Deadline, Attempts: attempt, Err: err}
			}
			next = min(next, left)
		}
		if opts.OnAttempt != nil {
			opts.OnAttempt(attempt, err, next)
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, fmt.Errorf("%w (while waiting for the database: %v)", ctx.Err(), err)
		case <-t.C:
		}
		delay = min(2*delay, opts.Max)
	}
}

// jitter spreads d by up to frac either way.
func jitter(d time.Duration, frac float64) time.Duration {
	if frac <= 0 {
		return d
	}
	f := 1 + frac*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}
