// Package launch replaces the running strata process with the
// application once the database is ready (entrypoint mode): the
// application keeps strata's PID, so it receives the container's signals
// directly, and inherits the environment.
package launch

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

// Command is an application to start: its resolved path and arguments.
type Command struct {
	Path string   // the executable, as found by exec.LookPath
	Args []string // argv, Args[0] being the name as given
}

// Resolve finds argv[0] on PATH (or as a path) before anything else runs,
// so a typo fails before migrating rather than after. It searches the
// PATH of this process, whose environment the application inherits.
func Resolve(argv []string) (*Command, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command given: put it after --, as in strata run -- ./server --port 8080")
	}
	p, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("cannot start %q: %w; give its path or put it on PATH", argv[0], err)
	}
	return &Command{Path: p, Args: argv}, nil
}

// Exec replaces the current process with c, passing env (KEY=VALUE pairs)
// as its environment. It returns only on failure. The caller must have
// released everything it holds (database connections, locks): nothing of
// this process runs after a successful Exec.
func (c *Command) Exec(env []string) error {
	if err := syscall.Exec(c.Path, c.Args, env); err != nil {
		return fmt.Errorf("start %s: %w", c.Path, err)
	}
	return nil
}
