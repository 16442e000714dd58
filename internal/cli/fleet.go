package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/fleet"
)

// fleetFlags turn up, status and check into runs over many targets.
type fleetFlags struct {
	file     string // --targets FILE
	query    string // --targets-query SQL
	schemas  string // --targets-schemas PATTERN
	parallel int    // --parallel
	failFast bool   // --fail-fast (up)
	canary   int    // --canary (up)
	shard    string // --shard I/N

	// terminal reports whether a writer is a terminal, for the live
	// progress line; tests replace it.
	terminal func(io.Writer) bool
}

// active reports whether a targets source was given.
func (fl *fleetFlags) active() bool { return fl.file != "" || fl.query != "" || fl.schemas != "" }

// addFleetFlags gives up, status and check the fleet flags. With one of
// --targets, --targets-query or --targets-schemas they run on every
// target; without, as before.
func (a *app) addFleetFlags(root *cobra.Command) {
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "up", "status", "check":
			a.fleetCommand(cmd)
		}
	}
}

// fleetCommand adds the fleet flags to cmd and returns them.
func (a *app) fleetCommand(cmd *cobra.Command) *fleetFlags {
	fl := &fleetFlags{terminal: isTerminal}
	f := cmd.Flags()
	f.StringVar(&fl.file, "targets", "", "run on every database URL in this file (one per line; # comments) instead of --url")
	f.StringVar(&fl.query, "targets-query", "", "run on every database URL this SQL query returns (one column) when run on --url")
	f.StringVar(&fl.schemas, "targets-schemas", "", "run on every schema (PostgreSQL) or database (MySQL) of --url whose name is LIKE this pattern, each with its own history table")
	f.IntVar(&fl.parallel, "parallel", 4, "fleet: how many targets to work on at once")
	f.StringVar(&fl.shard, "shard", "", "fleet: only the targets of shard I of N (I/N, 0 <= I < N), chosen by a hash of each target's name")
	if cmd.Name() == "up" {
		f.BoolVar(&fl.failFast, "fail-fast", false, "fleet: start no more targets after the first failure (those running finish)")
		f.IntVar(&fl.canary, "canary", 0, "fleet: apply to the first K targets first and stop if any of them fails")
	}
	cmd.Long += `

Fleets: with --targets FILE (one URL a line), --targets-query SQL (run on
--url) or --targets-schemas PATTERN (schemas of --url, each with its own
history table) it runs on every target, --parallel at a time, and ends with
a table of targets (or --json); --shard I/N takes one shard of the fleet.
Exit 8 when a target failed. See docs/deploy/fleets.md.`
	single := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if !fl.active() {
			return single(c, args)
		}
		a.started = true
		if err := a.setupSummary(c); err != nil {
			return err
		}
		a.md.command = "" // a fleet's table is its summary (docs/cli.md)
		if a.md.out != nil {
			return usage(errors.New("--format markdown summarizes one database: drop it for a fleet run (--json gives the fleet's table)"))
		}
		return a.fleet(c, fl)
	}
	return fl
}

// check validates the fleet flags.
func (fl *fleetFlags) check(a *app) error {
	n := 0
	for _, s := range []string{fl.file, fl.query, fl.schemas} {
		if s != "" {
			n++
		}
	}
	switch {
	case n > 1:
		return errors.New("--targets, --targets-query and --targets-schemas each list a fleet: give one of them")
	case fl.file != "" && a.urlSet:
		return errors.New("--targets lists the databases, so --url is not used: drop --url, or use --targets-query or --targets-schemas to list targets from --url")
	case fl.parallel < 1:
		return fmt.Errorf("--parallel %d: give at least 1", fl.parallel)
	case fl.canary < 0:
		return fmt.Errorf("--canary %d: give 0 (no canary) or more", fl.canary)
	}
	if fl.shard != "" {
		if _, _, err := fleet.ParseShard(fl.shard); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
	}
	return nil
}

// fleet runs cmd (up, status or check) on every target of the fleet.
func (a *app) fleet(cmd *cobra.Command, fl *fleetFlags) error {
	ctx := cmd.Context()
	a.set.fleet = true
	a.set.requireURL = true // --targets-query and --targets-schemas read --url
	if err := fl.check(a); err != nil {
		return usage(err)
	}
	if err := a.dirExists(); err != nil {
		return err
	}
	if err := a.checkOptions(); err != nil {
		return err
	}
	if _, err := parsePhase(a.phase); err != nil {
		return err
	}
	var extra []strata.Option
	work := fleet.Status()
	mode := reportStatus
	if cmd.Name() == "check" {
		mode = reportCheck
	}
	outOfOrder := false
	if cmd.Name() == "up" {
		fs := cmd.Flags()
		to, _ := fs.GetString("to")
		resume, _ := fs.GetBool("resume")
		outOfOrder, _ = fs.GetBool("allow-out-of-order")
		opts, err := planOptions(to, resume, a.phase)
		if err != nil {
			return err
		}
		extra = append(extra, strata.WithAllowOutOfOrder(outOfOrder))
		work = fleet.Up(opts)
		if dry, _ := fs.GetBool("dry-run"); dry {
			// What up would do on each target: its status, read
			// without the lock, changing nothing.
			work, mode = fleet.Status(), reportDryRun
		}
	}
	// The folder is loaded once, before any target: a broken folder is
	// one error, not one failure per target.
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	a.set.readOnly = cmd.Name() != "up" || mode == reportDryRun // status, check, up --dry-run
	b := &fleetBuild{reg: targetRegistry{}, dir: dir, extra: extra, parallel: fl.parallel}
	defer b.Close()
	all, err := a.fleetTargets(ctx, fl, b)
	if err != nil {
		return err
	}
	work = b.reg.scrubbing(work)
	targets := all
	if fl.shard != "" {
		i, n, _ := fleet.ParseShard(fl.shard)
		targets = fleet.Shard(all, i, n)
	}
	name := cmd.Name()
	if mode == reportDryRun {
		name = "up --dry-run"
	}
	v := &fleetView{a: a, cmd: name, shard: fl.shard, all: len(all), live: !a.quiet && fl.terminal(a.stderr)}
	out := fleet.Run(ctx, targets, fleet.Options{Parallel: fl.parallel, FailFast: fl.failFast, Canary: fl.canary, Progress: v.progress}, work)
	v.endLive()
	if cmd.Name() == "up" && mode != reportDryRun {
		return v.upDone(ctx, out)
	}
	return v.statusDone(ctx, out, mode, outOfOrder)
}

// checkOptions checks the flags every target's Migrator is built from
// once, before any target starts, so a mistake is one usage error rather
// than one failure per target.
func (a *app) checkOptions() error {
	if _, err := strata.ParseTxMode(a.tx); err != nil {
		return usage(fmt.Errorf("--tx: %w", err))
	}
	if _, err := strata.ParseLockMode(a.lockMode); err != nil {
		return usage(fmt.Errorf("--lock-mode: %w", err))
	}
	if _, err := strata.ParseTable(a.table); err != nil {
		return usage(fmt.Errorf("--table: %w", err))
	}
	return nil
}

// fleetError is the error of a fleet run that did not fully succeed,
// already reported in its table or JSON.
func fleetError(ctx context.Context, code int, msg string) error {
	if ctx.Err() != nil {
		code = exitCode(ctx, ctx.Err())
	}
	return &exitStatus{code: code, printed: true, err: errors.New(msg)}
}
