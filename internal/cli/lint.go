package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/lint"
	"github.com/strata-db/strata/source"
	"github.com/strata-db/strata/sqlsplit"
)

// lintFlags are the flags of strata lint.
type lintFlags struct {
	format   string
	severity []string
	all      bool
	dialect  string
}

func (a *app) lintCommand() *cobra.Command {
	var lf lintFlags
	cmd := &cobra.Command{
		Use:   "lint [FILES...]",
		Short: "Find risky statements in migration files before they run",
		Long: `Check migration files for statements that lose data, break the application
version still running during a deploy, take locks that stall traffic, fight
strata's transactions, cannot be re-run on MySQL, or are not SQL. Each finding
names file:line, the rule, the risk and the safe alternative.

Without FILES, lint the pending files of --dir (this reads the history, so it
needs the database); with --all, every up file of --dir, each on its own,
without a database; with FILES, those files in the order given. The SQL dialect
comes from the URL's scheme (nothing connects) or --dialect.

Destructive and breaks-the-deploy rules are errors, the others warnings;
--severity RULE=error|warning|off (repeatable, or severity = [...] in
strata.toml) changes that. A comment line "-- strata:lint-ignore RULE reason"
before a statement silences RULE for it. Exits 1 when an error fires.
docs/verify-lint.md lists the rules.`,
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			return a.lint(cmd.Context(), args, lf)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&lf.format, "format", "text", "output: text, json, github (workflow annotations) or markdown (a summary for a pull-request comment)")
	f.StringArrayVar(&lf.severity, "severity", nil, "RULE=error|warning|off: change a rule's severity (repeatable)")
	f.BoolVar(&lf.all, "all", false, "lint every up file of --dir, without a database")
	f.StringVar(&lf.dialect, "dialect", "", "postgres, mysql or sqlite (default: from the URL's scheme)")
	return cmd
}

// lintOptions builds the linter's options from the flags.
func (a *app) lintOptions(lf lintFlags, d sqlsplit.Dialect) (lint.Options, error) {
	opts := lint.Options{Dialect: d, Severity: map[string]lint.Severity{}, LockTimeout: a.safe.ddlLockTimeout > 0}
	for _, s := range lf.severity {
		id, level, ok := strings.Cut(s, "=")
		if !ok {
			return opts, usage(fmt.Errorf("--severity %q: write RULE=error, RULE=warning or RULE=off", s))
		}
		sev, err := lint.ParseSeverity(level)
		if err != nil {
			return opts, usage(fmt.Errorf("--severity %s: %w", s, err))
		}
		opts.Severity[strings.TrimSpace(id)] = sev
	}
	if _, err := lint.New(opts); err != nil {
		return opts, usage(fmt.Errorf("--severity: %w", err))
	}
	return opts, nil
}

// lintDialect is --dialect, else the dialect of the URL's scheme.
func (a *app) lintDialect(lf lintFlags) (sqlsplit.Dialect, error) {
	if lf.dialect == "" {
		url, _, err := config.ResolveURL(a.url, a.urlSet, a.env, a.set.file, a.readFile)
		if err != nil {
			return 0, usage(err)
		}
		t, err := a.parseURL(url)
		if err != nil {
			return 0, usage(err)
		}
		a.target = t
		return t.Dialect.Scanner(), nil
	}
	if d, ok := config.DialectNamed(lf.dialect); ok {
		return d.Scanner(), nil
	}
	return 0, usage(fmt.Errorf("--dialect %q: give postgres, mysql or sqlite", lf.dialect))
}

func (a *app) lint(ctx context.Context, args []string, lf lintFlags) error {
	if a.json {
		lf.format = "json"
	}
	switch lf.format {
	case "text", "json", "github":
	case "markdown":
		a.md.out = a.stdout
	default:
		return usage(fmt.Errorf("--format %q: give text, json, github or markdown", lf.format))
	}
	if lf.all && len(args) > 0 {
		return usage(errors.New("--all lints every file of --dir; give either --all or FILES"))
	}
	var findings []lint.Finding
	var files int
	switch {
	case len(args) > 0 || lf.all:
		d, err := a.lintDialect(lf)
		if err != nil {
			return err
		}
		opts, err := a.lintOptions(lf, d)
		if err != nil {
			return err
		}
		if lf.all {
			findings, files, err = a.lintAll(opts)
		} else {
			findings, files, err = a.lintPaths(opts, args)
		}
		if err != nil {
			return err
		}
	default:
		a.set.readOnly = true
		s, err := a.open(ctx, nil)
		if err != nil {
			return err
		}
		defer s.Close()
		p, err := s.m.Plan(ctx, strata.PlanOptions{})
		if err != nil {
			return err
		}
		opts, err := a.lintOptions(lf, s.m.Dialect().Scanner())
		if err != nil {
			return err
		}
		opts.Backslash = p.Backslash() // as the server reads strings
		files = len(p.Steps)
		if findings, err = lintPlan(s.m, p, opts); err != nil {
			return err
		}
	}
	if a.wantSummary() {
		a.summarize(func(w io.Writer) { mdLint(w, findings, files) })
	}
	a.writeFindings(lf.format, findings, files)
	if lint.HasErrors(findings) {
		return &exitStatus{code: ExitFailure, printed: true, err: errors.New("lint found errors")}
	}
	return nil
}

// lintPaths lints files given on the command line, as one set.
func (a *app) lintPaths(opts lint.Options, paths []string) ([]lint.Finding, int, error) {
	l, err := lint.New(opts)
	if err != nil {
		return nil, 0, err
	}
	var out []lint.Finding
	for _, p := range paths {
		f, err := os.Open(a.path(p))
		if err != nil {
			return nil, 0, usage(fmt.Errorf("lint %s: %w", p, err))
		}
		fs, err := l.File(p, f)
		f.Close()
		if err != nil {
			return nil, 0, err
		}
		out = append(out, fs...)
	}
	return out, len(paths), nil
}

// lintAll lints every up file of the folder, each as a set of its own:
// the tables of applied files exist in production.
func (a *app) lintAll(opts lint.Options) ([]lint.Finding, int, error) {
	if err := a.dirExists(); err != nil {
		return nil, 0, err
	}
	dir, err := a.loadDir()
	if err != nil {
		return nil, 0, err
	}
	var out []lint.Finding
	migs := append(append([]*source.Migration{}, dir.Versioned...), dir.Repeatable...)
	for _, mig := range migs {
		l, err := lint.New(opts)
		if err != nil {
			return nil, 0, err
		}
		fs, err := lintOne(l, dir, mig, path.Join(a.dir, mig.Path))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, fs...)
	}
	return out, len(migs), nil
}

func lintOne(l *lint.Linter, dir *source.Dir, mig *source.Migration, name string) ([]lint.Finding, error) {
	rc, err := dir.Open(mig.Path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return l.FileIn(name, rc, mig.Phase == source.PostDeploy)
}

// lintPlan lints the files of a plan, in order, as one set.
func lintPlan(m *strata.Migrator, p *strata.Plan, opts lint.Options) ([]lint.Finding, error) {
	l, err := lint.New(opts)
	if err != nil {
		return nil, err
	}
	var out []lint.Finding
	for _, st := range p.Steps {
		fs, err := lintOne(l, m.Dir(), st.Migration, st.File)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// writeFindings prints findings as text, JSON or GitHub annotations.
func (a *app) writeFindings(format string, fs []lint.Finding, files int) {
	errs := 0
	for _, f := range fs {
		if f.Severity == lint.Error {
			errs++
		}
	}
	switch format {
	case "json":
		a.result(struct {
			Files    int            `json:"files"`
			Errors   int            `json:"errors"`
			Warnings int            `json:"warnings"`
			Findings []lint.Finding `json:"findings"`
		}{files, errs, len(fs) - errs, append([]lint.Finding{}, fs...)})
	case "markdown":
		// summarize printed it.
	case "github":
		for _, f := range fs {
			level := "warning"
			if f.Severity == lint.Error {
				level = "error"
			}
			fmt.Fprintf(a.stdout, "::%s file=%s,line=%d,title=%s::%s\n", level, ghProp(f.File), f.Line, ghProp("strata lint "+f.Rule), ghData(f.Message))
		}
	default:
		if a.quiet {
			return
		}
		writeFindingsText(a.stdout, fs)
		fmt.Fprintf(a.stdout, "%s in %s: %d errors, %d warnings\n", plural(len(fs), "finding"), plural(files, "file"), errs, len(fs)-errs)
	}
}

func writeFindingsText(w io.Writer, fs []lint.Finding) {
	for _, f := range fs {
		fmt.Fprintln(w, f.String())
	}
}

// ghData escapes a GitHub workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProp escapes a GitHub workflow command's property value.
func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// planFindings lints the pending files of a plan with the default
// severities, for strata plan. A file that cannot be read gives none: plan
// reports that itself.
func (a *app) planFindings(m *strata.Migrator, p *strata.Plan) []lint.Finding {
	fs, err := lintPlan(m, p, lint.Options{Dialect: m.Dialect().Scanner(), LockTimeout: a.safe.ddlLockTimeout > 0, Backslash: p.Backslash()})
	if err != nil || fs == nil {
		return []lint.Finding{}
	}
	return fs
}

// planLint prints the lint findings of the pending files under the plan.
func (a *app) planLint(m *strata.Migrator, p *strata.Plan) {
	fs := a.planFindings(m, p)
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(a.stdout, "lint (strata lint explains and configures these):\n")
	for _, f := range fs {
		fmt.Fprintf(a.stdout, "  %s\n", f)
	}
}
