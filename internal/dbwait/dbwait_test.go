package dbwait

import (
	"context"
	"errors"
	"testing"
	"time"
)

var (
	errRefused = errors.New("connection refused")
	errAuth    = errors.New("password authentication failed")
	errNoDB    = errors.New("database does not exist")
)

func classify(err error) Verdict {
	switch {
	case errors.Is(err, errAuth):
		return Fatal
	case errors.Is(err, errNoDB):
		return Up
	}
	return Retry
}

// pinger fails with errs in turn, then succeeds.
func pinger(errs ...error) (func(context.Context) error, *int) {
	n := 0
	return func(context.Context) error {
		n++
		if n <= len(errs) {
			return errs[n-1]
		}
		return nil
	}, &n
}

func TestWaitRetriesThenSucceeds(t *testing.T) {
	ping, n := pinger(errRefused, errRefused, errRefused)
	var delays []time.Duration
	res, err := Wait(context.Background(), ping, classify, Options{
		Deadline: 5 * time.Second, Initial: 10 * time.Millisecond, Max: 25 * time.Millisecond, Jitter: -1,
		OnAttempt: func(attempt int, err error, next time.Duration) {
			if attempt != len(delays)+1 || !errors.Is(err, errRefused) {
				t.Errorf("OnAttempt(%d, %v)", attempt, err)
			}
			delays = append(delays, next)
		},
	})
	if err != nil || res.Attempts != 4 || *n != 4 || res.Err != nil {
		t.Fatalf("Wait = %+v, %v after %d pings", res, err, *n)
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 25 * time.Millisecond}
	for i := range want {
		if delays[i] != want[i] {
			t.Fatalf("delays = %v, want %v (doubling, capped at Max)", delays, want)
		}
	}
}

func TestWaitFatalAtOnce(t *testing.T) {
	ping, n := pinger(errRefused, errAuth, errRefused)
	_, err := Wait(context.Background(), ping, classify, Options{Deadline: time.Minute, Initial: time.Millisecond})
	var fe *FatalError
	if !errors.As(err, &fe) || !errors.Is(err, errAuth) || fe.Attempts != 2 || *n != 2 {
		t.Fatalf("Wait = %v (%d pings), want a FatalError on the second ping", err, *n)
	}
}

func TestWaitUpWithError(t *testing.T) {
	ping, _ := pinger(errRefused, errNoDB)
	res, err := Wait(context.Background(), ping, classify, Options{Initial: time.Millisecond})
	if err != nil || !errors.Is(res.Err, errNoDB) || res.Attempts != 2 {
		t.Fatalf("Wait = %+v, %v; want success with Err = errNoDB", res, err)
	}
}

func TestWaitDeadline(t *testing.T) {
	ping := func(context.Context) error { return errRefused }
	start := time.Now()
	res, err := Wait(context.Background(), ping, classify, Options{Deadline: 200 * time.Millisecond, Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond})
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, errRefused) {
		t.Fatalf("Wait = %v, want a TimeoutError wrapping the last error", err)
	}
	if el := time.Since(start); el < 200*time.Millisecond || el > 2*time.Second {
		t.Errorf("gave up after %v, want about 200ms", el)
	}
	if res.Attempts < 3 {
		t.Errorf("only %d attempts", res.Attempts)
	}
}

// TestWaitPingHonoursDeadline: a ping that blocks is cut off at the
// deadline.
func TestWaitPingHonoursDeadline(t *testing.T) {
	ping := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	_, err := Wait(context.Background(), ping, classify, Options{Deadline: 100 * time.Millisecond})
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("Wait = %v, want a TimeoutError", err)
	}
}

func TestWaitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ping := func(context.Context) error { cancel(); return errRefused }
	_, err := Wait(ctx, ping, classify, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
}

func TestJitter(t *testing.T) {
	for range 100 {
		d := jitter(time.Second, 0.2)
		if d < 800*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("jitter(1s, 0.2) = %v", d)
		}
	}
	if jitter(time.Second, -1) != time.Second {
		t.Error("negative jitter changed the delay")
	}
}
