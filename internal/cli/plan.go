package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/lint"
)

func (a *app) planCommand() *cobra.Command {
	var (
		to         string
		withSQL    bool
		outOfOrder bool
		resume     bool
		down       bool
	)
	cmd := &cobra.Command{
		Use:   "plan [--down [N]]",
		Short: "Show what up would do, changing nothing",
		Long: `Print the files up would apply, in order: whether each runs in a transaction
(and if not, why), and how many statements it has. --sql prints every statement
exactly as it will be sent, each preceded by -- file:line, with the transaction
boundaries marked. Refuses like up (exit 3) when the history and folder
disagree. Takes no lock and changes nothing.

--down shows instead which down files strata down would run (the newest
applied migration, the newest N, or every one above --to), newest first, each
with whether it runs in a transaction and if not why.`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			if down {
				if a.md.out != nil {
					return usage(errors.New("--format markdown summarizes the plan of strata up: drop --down, or drop --format markdown"))
				}
				if withSQL || resume || outOfOrder {
					return usage(errors.New("--down plans a roll-back: it does not take --sql, --resume or --allow-out-of-order"))
				}
				opts, err := downOptions(args, to, "")
				if err != nil {
					return err
				}
				return a.planDown(cmd.Context(), opts)
			}
			if len(args) > 0 {
				return usage(fmt.Errorf("plan takes no argument %q; a number of migrations is only for plan --down N", args[0]))
			}
			opts, err := planOptions(to, resume, a.phase)
			if err != nil {
				return err
			}
			return a.plan(cmd.Context(), opts, withSQL, outOfOrder)
		}),
	}
	cmd.Flags().StringVar(&to, "to", "", "plan only up to this version (inclusive)")
	cmd.Flags().BoolVar(&withSQL, "sql", false, "print every statement as it will be sent")
	cmd.Flags().BoolVar(&outOfOrder, "allow-out-of-order", false, "include pending files older than the newest applied one")
	cmd.Flags().BoolVar(&resume, "resume", false, "include files that stopped half-way, from the statement after the last one that completed")
	cmd.Flags().BoolVar(&down, "down", false, "show which down files strata down would run instead")
	phaseFlag(cmd, &a.phase, "plan only the pending files of this phase")
	return cmd
}

// jsonStep is one file in `plan --json` output.
type jsonStep struct {
	Version       string          `json:"version"`
	Name          string          `json:"name"`
	File          string          `json:"file"`
	Transactional bool            `json:"transactional"`
	Reason        string          `json:"reason,omitempty"`
	Statements    int             `json:"statements"`
	ResumeFrom    int             `json:"resume_from,omitempty"`
	Rerun         bool            `json:"rerun,omitempty"`
	SQL           []jsonStatement `json:"sql,omitempty"`
}

type jsonStatement struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

func (a *app) plan(ctx context.Context, opts strata.PlanOptions, withSQL, outOfOrder bool) error {
	a.set.readOnly = true // changes nothing: SQLite opens read-only
	s, err := a.open(ctx, nil, strata.WithAllowOutOfOrder(outOfOrder))
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.m.Plan(ctx, opts)
	if err != nil {
		return err
	}
	if a.wantSummary() {
		findings := a.planFindings(s.m, p)
		a.summarize(func(w io.Writer) { mdPlan(w, a.targetName(), p, findings) })
	}
	if a.wantJSON() {
		if err := a.planJSON(s.m, p, withSQL); err != nil || a.json {
			return err
		}
	}
	switch {
	case a.quiet:
		return nil
	case withSQL:
		return a.planSQL(s.m, p)
	}
	if p.InProgress {
		fmt.Fprintln(a.stdout, "another strata run holds the migration lock and is applying a file now; up would wait for it, then apply what is still pending")
	}
	a.printSkipped(p)
	if len(p.Steps) == 0 {
		fmt.Fprintf(a.stdout, "nothing to do: %s\n", planAt(p.Status))
		return nil
	}
	fmt.Fprintf(a.stdout, "%s to apply on %s (%s):\n", plural(len(p.Steps), "migration"), p.Dialect, atVersion(p.Status.Current))
	if d := p.Status.AheadDetail(); d != "" {
		fmt.Fprintf(a.stdout, "note: %s\n", d)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	mysqlNote := false
	for _, st := range p.Steps {
		how, implicit := howStepRuns(p.TxMode, p.TransactionalDDL, st.Migration.Directives.NoTransaction, st)
		mysqlNote = mysqlNote || implicit
		count := plural(st.Statements, "statement")
		if st.ResumeFrom > 0 {
			count = fmt.Sprintf("resuming at statement %d of %d", st.ResumeFrom+1, st.Statements)
		}
		if st.Rerun {
			count += ", re-run: changed since it was applied"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", st.File, how, count)
	}
	tw.Flush()
	if mysqlNote {
		fmt.Fprintf(a.stdout, "note: %s commits DDL implicitly, so a file with DDL cannot be rolled back: it runs statement by statement, with progress recorded after each one\n", p.Dialect)
	}
	a.planLint(s.m, p)
	return nil
}

// planAt says where the database is: its version, or how far it is ahead
// of the folder.
func planAt(st *strata.Status) string {
	if d := st.AheadDetail(); d != "" {
		return d
	}
	return atVersion(st.Current)
}

// howStepRuns says how a file of a plan (up or down) runs, and whether it
// runs outside a transaction only because the database commits DDL
// implicitly (noTxDirective: the file asked for no transaction itself).
func howStepRuns(mode strata.TxMode, transactionalDDL, noTxDirective bool, st strata.Step) (how string, implicit bool) {
	switch {
	case mode == strata.TxAll:
		return "in the one transaction (--tx=all)", false
	case !st.Transactional && !transactionalDDL && !noTxDirective && st.ReasonKind == strata.ReasonImplicitCommit:
		return "statement by statement, no transaction" + ddlLine(st.Line), true
	case !st.Transactional:
		return "no transaction: " + st.Reason, false
	}
	return "in a transaction", false
}

// ddlLine returns " (DDL from line N)", or "" when the line is unknown.
func ddlLine(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (DDL from line %d)", line)
}

func (a *app) planJSON(m *strata.Migrator, p *strata.Plan, withSQL bool) error {
	out := struct {
		Dialect          string         `json:"dialect"`
		TxMode           string         `json:"tx_mode"`
		TransactionalDDL bool           `json:"transactional_ddl"`
		CurrentVersion   string         `json:"current_version"`
		Ahead            []string       `json:"ahead"`
		Steps            []jsonStep     `json:"steps"`
		Lint             []lint.Finding `json:"lint"`
		Phase            string         `json:"phase"`
		Skipped          []jsonSkipped  `json:"skipped"`
	}{Phase: string(p.Phase), Skipped: skippedJSON(p.Skipped), Lint: a.planFindings(m, p), Dialect: p.Dialect, TxMode: string(p.TxMode), TransactionalDDL: p.TransactionalDDL, CurrentVersion: p.Status.Current.String(), Ahead: aheadVersions(p.Status.Ahead), Steps: []jsonStep{}}
	for _, st := range p.Steps {
		js := jsonStep{Version: st.Migration.ID(), Name: st.Migration.Description, File: st.File,
			Transactional: st.Transactional || p.TxMode == strata.TxAll, Reason: st.Reason, Statements: st.Statements, ResumeFrom: st.ResumeFrom, Rerun: st.Rerun}
		if withSQL {
			for stmt, err := range m.PlanStatements(p, st.Migration) {
				if err != nil {
					return err
				}
				js.SQL = append(js.SQL, jsonStatement{Line: stmt.Line, Text: stmt.Text})
			}
		}
		out.Steps = append(out.Steps, js)
	}
	a.result(out)
	return nil
}

// planSQL prints every statement as it will be sent, each after a
// "-- file:line" comment, with the transactions marked.
func (a *app) planSQL(m *strata.Migrator, p *strata.Plan) error {
	w := a.stdout
	if len(p.Steps) == 0 {
		fmt.Fprintf(w, "-- nothing to do: %s\n", planAt(p.Status))
		return nil
	}
	fmt.Fprintf(w, "-- strata plan: %s to apply on %s (%s)\n", plural(len(p.Steps), "migration"), p.Dialect, atVersion(p.Status.Current))
	fmt.Fprintln(w, "-- each statement is printed exactly as it is sent, without its delimiter")
	all := p.TxMode == strata.TxAll
	if all {
		fmt.Fprintf(w, "\n-- BEGIN (one transaction for all %s, --tx=all)\n", plural(len(p.Steps), "file"))
	}
	for _, st := range p.Steps {
		fmt.Fprintln(w)
		switch {
		case all:
			fmt.Fprintf(w, "-- file %s\n", st.File)
		case st.Transactional:
			fmt.Fprintf(w, "-- BEGIN (transaction for %s)\n", st.File)
		default:
			fmt.Fprintf(w, "-- %s runs without a transaction: %s; progress is recorded after each statement\n", st.File, st.Reason)
		}
		if st.Statements == 0 {
			fmt.Fprintf(w, "-- %s has no statements; it is recorded as applied\n", st.File)
		}
		i := 0
		for stmt, err := range m.PlanStatements(p, st.Migration) {
			if err != nil {
				return err
			}
			if i++; i <= st.ResumeFrom {
				fmt.Fprintf(w, "-- %s:%d: statement %d already ran; --resume skips it\n", st.File, stmt.Line, i)
				continue
			}
			fmt.Fprintf(w, "-- %s:%d\n%s\n", st.File, stmt.Line, stmt.Text)
		}
		if st.Transactional && !all {
			fmt.Fprintln(w, "-- COMMIT")
		}
	}
	if all {
		fmt.Fprintln(w, "\n-- COMMIT")
	}
	return nil
}
