package cli

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/strata-db/strata"
)

// safeDDL holds the flags that bound how long migrations wait for table
// locks, and how often a file that timed out is tried again.
type safeDDL struct {
	ddlLockTimeout time.Duration // --lock-timeout-ddl
	retries        int           // --retries
}

// flags registers the global flags.
func (s *safeDDL) flags(f *pflag.FlagSet) {
	f.DurationVar(&s.ddlLockTimeout, "lock-timeout-ddl", 0, "make each file's statements wait at most this long for a table lock (PostgreSQL lock_timeout, MySQL lock_wait_timeout; 0: the server's setting); a file's -- strata:lock-timeout wins")
	f.IntVar(&s.retries, "retries", 0, "run a file that ran in a transaction again, up to this many times, when it failed on a lock timeout or deadlock")
}

// options returns the library options of the flags.
func (s *safeDDL) options() ([]strata.Option, error) {
	if s.ddlLockTimeout < 0 {
		return nil, usage(fmt.Errorf("--lock-timeout-ddl %s: give a positive duration, or 0 for the server's setting", s.ddlLockTimeout))
	}
	if s.retries < 0 {
		return nil, usage(fmt.Errorf("--retries %d: give 0 or more", s.retries))
	}
	return []strata.Option{strata.WithDDLLockTimeout(s.ddlLockTimeout), strata.WithRetries(s.retries)}, nil
}
