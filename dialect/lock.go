package dialect

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"time"
)

// PollLock calls try until it reports the lock taken, ctx is done or
// timeout passes (0 means no timeout). Between attempts it sleeps a short,
// growing, jittered interval; every few seconds it calls waiting with the
// holder's description from holder. It is the shared wait loop of the
// dialects' [Lock] methods.
func PollLock(ctx context.Context, timeout time.Duration, try func(context.Context) (bool, error), holder func(context.Context) string, waiting func(string)) error {
	start := time.Now()
	delay := 50 * time.Millisecond
	lastReport := start
	for {
		ok, err := try(ctx)
		if err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		if ok {
			return nil
		}
		if timeout > 0 && time.Since(start) >= timeout {
			h := ""
			if holder != nil {
				h = holder(context.WithoutCancel(ctx))
			}
			return &LockTimeoutError{Timeout: timeout, Holder: h}
		}
		if waiting != nil && (time.Since(lastReport) >= 3*time.Second || lastReport == start) {
			lastReport = time.Now()
			h := ""
			if holder != nil {
				h = holder(ctx)
			}
			waiting(h)
		}
		sleep := delay/2 + rand.N(delay/2+1)
		if timeout > 0 {
			if left := timeout - time.Since(start); left < sleep {
				sleep = max(left, time.Millisecond)
			}
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for the migration lock: %w", context.Cause(ctx))
		case <-t.C:
		}
		delay = min(delay*2, time.Second)
	}
}

var txControl = regexp.MustCompile(`(?is)^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|ROLLBACK)\b\s*(WORK|TRANSACTION|AND|ISOLATION|READ|;|$)`)

// IsTransactionControl reports whether stmt begins, commits or rolls back a
// transaction (BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT), as
// opposed to a BEGIN ... END block or ROLLBACK TO SAVEPOINT.
func IsTransactionControl(stmt string) bool {
	return txControl.MatchString(stmt)
}
