package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// summaryEnv names the file GitHub Actions shows as the job's summary: a
// step appends Markdown to it.
const summaryEnv = "GITHUB_STEP_SUMMARY"

// summary is the Markdown output of plan, up, verify, check and lint:
// --format markdown on stdout, and the GitHub Actions step summary.
type summary struct {
	format  string    // --format of plan, up, verify and check: text, json or markdown
	out     io.Writer // stdout when --format markdown, else nil
	command string    // the command run, when it writes a summary
	written bool      // the command wrote its summary
}

// summarized are the commands that write a Markdown summary.
var summarized = map[string]bool{"plan": true, "up": true, "verify": true, "check": true, "lint": true}

// formatFlag gives cmd the --format flag.
func (a *app) formatFlag(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().StringVar(&a.md.format, "format", "text", "output: text, json (as --json) or markdown (a summary for a pull-request comment)")
	return cmd
}

// setupSummary applies --format before a command runs. With markdown the
// text output is discarded: the command's Markdown replaces it on stdout.
func (a *app) setupSummary(cmd *cobra.Command) error {
	if summarized[cmd.Name()] && cmd.Parent() == cmd.Root() {
		a.md.command = cmd.Name()
	}
	switch a.md.format {
	case "", "text":
	case "json":
		a.json = true
	case "markdown":
		if a.json {
			return usage(errors.New("--json and --format markdown contradict each other: pass one of them"))
		}
		a.md.out, a.stdout = a.stdout, io.Discard
	default:
		return usage(fmt.Errorf("--format %q: give text, json or markdown", a.md.format))
	}
	return nil
}

// wantSummary reports whether the command must render its Markdown
// summary: for --format markdown or for the step summary file.
func (a *app) wantSummary() bool {
	path, _ := a.env.Lookup(summaryEnv)
	return a.md.out != nil || path != ""
}

// summarize renders the command's Markdown summary to stdout (with
// --format markdown) and appends it to the step summary file.
func (a *app) summarize(render func(w io.Writer)) {
	a.md.written = true
	if a.md.out != nil {
		render(a.md.out)
	}
	a.stepSummary(render)
}

// stepSummary appends render's Markdown to the file GITHUB_STEP_SUMMARY
// names, when it is set. It never truncates the file: every step of a job
// adds to it. A file that cannot be written is a warning, not a failure.
func (a *app) stepSummary(render func(w io.Writer)) {
	path, ok := a.env.Lookup(summaryEnv)
	if !ok || path == "" {
		return
	}
	f, err := os.OpenFile(a.path(path), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		render(f)
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "warning: cannot append to the step summary %s (%s): %s\n", path, summaryEnv, err)
	}
}

// summarizeError writes the summary of a command that failed before it
// wrote one.
func (a *app) summarizeError(err error, code int) {
	if a.md.command == "" || a.md.written {
		return
	}
	a.summarize(func(w io.Writer) { mdError(w, a.md.command, a.targetName(), err, code, a.scrub) })
}

// targetName is the database's URL without its password, once known.
func (a *app) targetName() string {
	if a.target == nil {
		return ""
	}
	return a.target.Redacted
}
