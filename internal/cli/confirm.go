package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/strata-db/strata"
)

// undoesAll reports whether a down run asks to roll back every applied
// migration (down --to 0).
func undoesAll(opts strata.DownOptions) bool {
	return opts.Steps == 0 && opts.To.String() == "0"
}

// confirmDownAll runs down --to 0 after the person at the terminal typed
// "yes" to the list of files it rolls back. Without a terminal on stdin
// and stderr there is nobody to ask: it refuses, before connecting, and
// says to pass --yes.
func (a *app) confirmDownAll(ctx context.Context, opts strata.DownOptions) error {
	in := a.stdin
	if in == nil {
		in = os.Stdin
	}
	if f, ok := in.(*os.File); !ok || !isTerminal(f) || !isTerminal(a.stderr) {
		return usage(errors.New("down --to 0 rolls back every applied migration and there is no terminal to confirm on: pass --yes to do it (strata plan --down --to 0 shows what would run)"))
	}
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	p, err := s.m.PlanDown(ctx, opts)
	s.Close()
	if err != nil {
		return err
	}
	if len(p.Steps) == 0 {
		return a.down(ctx, opts)
	}
	fmt.Fprintf(a.stderr, "down --to 0 rolls back every applied migration of %s, newest first:\n", a.target.Redacted)
	for _, st := range p.Steps {
		fmt.Fprintf(a.stderr, "  %s\n", st.File)
	}
	fmt.Fprintf(a.stderr, "type yes to roll back %s: ", plural(len(p.Steps), "migration"))
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the confirmation: %w", err)
	}
	if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
		return usage(errors.New("not confirmed: nothing was rolled back"))
	}
	return a.down(ctx, opts)
}
