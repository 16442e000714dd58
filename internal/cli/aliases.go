package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// foreign is a command people type from another migration tool (goose,
// golang-migrate, dbmate, Flyway, Liquibase, Alembic, Prisma), and what to
// run in strata instead. hint receives the arguments given after the
// command, so "strata create add users" points to "strata new add users".
type foreign struct {
	names []string
	hint  func(args string) string
}

var foreignCommands = []foreign{
	{[]string{"create", "generate", "revision", "make"}, func(args string) string {
		if args == "" {
			args = "DESCRIPTION"
		}
		return "use strata new " + args + " (strata new --down also writes the down file)"
	}},
	{[]string{"migrate", "apply", "deploy", "upgrade", "update"}, func(string) string {
		return "use strata up (strata plan shows what it would apply; strata run -- APP migrates, then starts the application)"
	}},
	{[]string{"rollback", "undo", "downgrade"}, func(string) string {
		return "use strata down (the newest migration; strata down N for the newest N, strata down --to VERSION)"
	}},
	{[]string{"reset"}, func(string) string {
		return "use strata down --to 0 to roll back every applied migration"
	}},
	{[]string{"goto", "up-to", "down-to", "migrate-to"}, func(args string) string {
		v := firstWord(args, "VERSION")
		return fmt.Sprintf("use strata up --to %s to apply up to it, or strata down --to %s to roll back above it", v, v)
	}},
	{[]string{"info", "current", "dbversion", "pending", "show"}, func(string) string {
		return "use strata status (strata history VERSION shows one migration's record and audit trail)"
	}},
	{[]string{"validate"}, func(string) string {
		return "use strata check to compare the database with the folder (edited, missing, pending files), strata lint for risky statements, strata verify to apply everything to a scratch database"
	}},
	{[]string{"init"}, func(string) string {
		return "strata new DESCRIPTION creates the migrations folder and its first file, and strata up creates the history table"
	}},
	{[]string{"force", "stamp", "mark"}, func(args string) string {
		v := firstWord(args, "VERSION")
		return fmt.Sprintf("use strata resolve %s --applied (or --rolled-back) --reason TEXT to settle a file that stopped half-way, or strata baseline %s to record migrations as applied without running them", v, v)
	}},
	{[]string{"repair", "fix"}, func(args string) string {
		v := firstWord(args, "VERSION")
		return fmt.Sprintf("use strata resolve %s --accept-edit --reason TEXT to accept an edited applied file, or strata resolve %s --rolled-back --reason TEXT to forget a failed attempt (strata status shows which files need it)", v, v)
	}},
	{[]string{"drop", "clean", "wipe"}, func(string) string {
		return "strata never drops a database or schema: use strata down --to 0 to roll back every migration with its down files, or your database's own tools"
	}},
}

// firstWord returns the first word of args, or def when there is none.
func firstWord(args, def string) string {
	if f := strings.Fields(args); len(f) > 0 {
		return f[0]
	}
	return def
}

// foreignCommandTree returns hidden commands that answer each foreign
// command with a pointer to the strata command, as a usage error (exit 2).
// They parse no flags and read no configuration, so the pointer is what
// the user sees whatever they typed after it.
func (a *app) foreignCommandTree() []*cobra.Command {
	var cmds []*cobra.Command
	for _, fc := range foreignCommands {
		for _, name := range fc.names {
			hint := fc.hint
			cmds = append(cmds, &cobra.Command{
				Use:                name,
				Hidden:             true,
				DisableFlagParsing: true,
				Args:               cobra.ArbitraryArgs,
				PersistentPreRunE:  func(*cobra.Command, []string) error { return nil },
				RunE: func(_ *cobra.Command, args []string) error {
					var words []string
					for _, w := range args {
						if !strings.HasPrefix(w, "-") {
							words = append(words, w)
						}
					}
					return usage(fmt.Errorf("strata has no %s command: %s", name, hint(strings.Join(words, " "))))
				},
			})
		}
	}
	return cmds
}

// argHints say in words what a command's arguments are, for when they are
// missing: "strata new needs a description: strata new add users table".
var argHints = map[string]string{
	"new":        "a description: strata new add users table",
	"baseline":   "the VERSION to record as applied: strata baseline 0007 --reason 'schema built by hand'",
	"resolve":    "the VERSION to settle: strata resolve 0003 --rolled-back --reason 'undid it by hand' (strata status shows which files need it)",
	"history":    "the VERSION to show: strata history 0003 (strata status lists the versions)",
	"completion": "the shell: strata completion bash (or zsh, fish, powershell)",
}

// explainArgs wraps the argument check of every command under c so that a
// wrong number of arguments is explained in words, naming the command and
// what it needs, instead of cobra's "accepts 1 arg(s), received 0".
func explainArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		explainArgs(sub)
	}
	check := c.Args
	if check == nil || c.Hidden || !c.HasParent() {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		err := check(cmd, args)
		if err == nil {
			return nil
		}
		name := cmd.CommandPath()
		if len(args) == 0 {
			if h, ok := argHints[cmd.Name()]; ok {
				return usage(fmt.Errorf("%s needs %s", name, h))
			}
			return usage(fmt.Errorf("%s needs an argument: %s", name, cmd.UseLine()))
		}
		got := strings.Join(args, " ")
		switch {
		case check(cmd, args[:1]) == nil:
			if h, ok := argHints[cmd.Name()]; ok {
				return usage(fmt.Errorf("%s takes one argument, %s; got %q", name, h, got))
			}
			return usage(fmt.Errorf("%s takes one argument (%s); got %q", name, cmd.UseLine(), got))
		case cmd.Name() == "version":
			return usage(fmt.Errorf("strata version prints strata's own version and takes no arguments; got %q: strata status shows the database's version, strata up --to %s (or strata down --to %s) migrates to a version", got, args[0], args[0]))
		case check(cmd, nil) == nil:
			return usage(fmt.Errorf("%s takes no arguments; got %q: run %s --help for its flags", name, got, name))
		}
		return usage(fmt.Errorf("%s: %w", name, err))
	}
}
