package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/source"
)

// compatFlags are the flags of strata compat.
type compatFlags struct {
	queries    string
	capture    bool
	out        string
	scratchURL string
	// plan is the plan of the up the gate runs before (up --compat):
	// pending files it leaves out are not applied to the scratch either.
	plan strata.PlanOptions
}

func (a *app) compatCommand() *cobra.Command {
	var cf compatFlags
	cmd := &cobra.Command{
		Use:   "compat",
		Short: "Check that the deployed app's queries still work after the pending migrations",
		Long: `With --queries FILE: read the queries the deployed application runs (statements
separated by semicolons, as in a migration file, with $1 or ? placeholders),
create a scratch database as verify does, apply the migrations the database of
--url already has, check every query, then apply each pending file and check
again. A query is checked by preparing it on the server (nothing runs) and, for
an INSERT, by comparing its column list with the table's NOT NULL columns that
have no default. Each query that breaks is printed with the migration file:line
that broke it and the server's message. The database of --url is only read.
Exits 16 when a query breaks, 4 when a migration fails on the scratch database.

With --capture: read the queries the database of --url has recorded
(PostgreSQL's statement statistics extension, MySQL/MariaDB's performance
schema statement digests) and write the application's ones to --out (standard output when not
given), in the --queries format. See docs/compat.md for enabling both.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			switch {
			case cf.capture && cf.queries != "":
				return usage(errors.New("--capture and --queries do not go together: capture the queries first, then check them"))
			case cf.capture && cf.out == "" && a.json:
				return usage(errors.New("compat --capture --json needs --out FILE: standard output carries the JSON document"))
			case cf.capture:
				return a.capture(cmd.Context(), cf.out)
			case cf.queries == "":
				return usage(errors.New("strata compat needs --queries FILE (the queries to check) or --capture (to record them)"))
			case cf.out != "":
				return usage(errors.New("--out goes with --capture"))
			}
			return a.compat(cmd.Context(), cf, false)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&cf.queries, "queries", "", "the file of queries the deployed application runs, to check against the pending migrations")
	f.BoolVar(&cf.capture, "capture", false, "write the queries the database's server has recorded (its statement statistics) to --out")
	f.StringVar(&cf.out, "out", "", "with --capture: the file to write (default: standard output)")
	f.StringVar(&cf.scratchURL, "scratch-url", "", "create the scratch database on this server instead of --url's")
	return cmd
}

// jsonCompatProblem is one query of `compat --json` output.
type jsonCompatProblem struct {
	Query     string   `json:"query"`
	QueryFile string   `json:"query_file"`
	QueryLine int      `json:"query_line"`
	Kind      string   `json:"kind"`
	File      string   `json:"file,omitempty"`
	Version   string   `json:"version,omitempty"`
	Line      int      `json:"line,omitempty"`
	Code      string   `json:"code,omitempty"`
	Message   string   `json:"message"`
	Table     string   `json:"table,omitempty"`
	Columns   []string `json:"columns,omitempty"`
}

// compat checks the queries file of cf against the pending migrations
// of the target; gate says it runs before up (--compat), which prints
// only what breaks.
func (a *app) compat(ctx context.Context, cf compatFlags, gate bool) error {
	res, err := a.compatCheck(ctx, cf)
	if err != nil {
		return err
	}
	problem := func(p strata.CompatProblem) jsonCompatProblem {
		return jsonCompatProblem{Query: p.Query.Text, QueryFile: p.Query.File, QueryLine: p.Query.Line, Kind: p.Kind, File: p.File,
			Version: p.Version, Line: p.Line, Code: p.Code, Message: a.scrub(p.Message), Table: p.Table, Columns: p.Columns}
	}
	out := struct {
		OK         bool                `json:"ok"`
		Queries    int                 `json:"queries"`
		Pending    []string            `json:"pending"`
		Broken     []jsonCompatProblem `json:"broken"`
		Failing    []jsonCompatProblem `json:"failing_before"`
		Error      string              `json:"error,omitempty"`
		CheckingMS int64               `json:"checking_ms"`
	}{OK: res.OK(), Queries: res.Queries, Pending: append([]string{}, res.Pending...), Broken: []jsonCompatProblem{},
		Failing: []jsonCompatProblem{}, CheckingMS: res.Checking.Milliseconds()}
	for _, p := range res.Failing {
		out.Failing = append(out.Failing, problem(p))
		if !gate {
			a.printf("note  %s:%d fails already before the pending migrations: %s\n      %s\n", p.Query.File, p.Query.Line, a.scrub(p.Message), oneLine(p.Query.Text))
		}
	}
	for _, p := range res.Broken {
		out.Broken = append(out.Broken, problem(p))
		what := "no longer prepares"
		if p.Kind == strata.CompatNotNull {
			what = "would fail"
		}
		a.printf("BREAK %s:%d %s after %s:%d: %s\n      %s\n", p.Query.File, p.Query.Line, what, p.File, p.Line, a.scrub(p.Message), oneLine(p.Query.Text))
	}
	if res.Failed != nil {
		out.Error = a.scrub(res.Failed.Error())
		a.printf("FAIL  %s\n", out.Error)
	}
	if !gate || !res.OK() {
		a.result(out)
	}
	switch {
	case res.Failed != nil:
		return &exitStatus{code: ExitMigrationFailed, printed: true, err: errors.New("a migration failed on the scratch database")}
	case len(res.Broken) > 0:
		a.printf("compat failed: %s of %d would break after %s\n", nQueries(len(res.Broken)), res.Queries, plural(len(res.Pending), "pending file"))
		return &exitStatus{code: ExitCompatBroken, printed: true, err: errors.New("queries of the deployed application would break")}
	case !gate:
		a.printf("compat ok: %d queries still work after %s (checked in %s)\n", res.Queries, plural(len(res.Pending), "pending file"), fmtDuration(res.Checking))
	}
	return nil
}

// nQueries is "1 query" or "N queries".
func nQueries(n int) string {
	if n == 1 {
		return "1 query"
	}
	return fmt.Sprintf("%d queries", n)
}

// oneLine shortens a query to one line for text output.
func oneLine(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 160 {
		q = q[:157] + "..."
	}
	return q
}

// compatCheck reads the queries file, the target's history, and runs
// strata.Compat on a scratch database.
func (a *app) compatCheck(ctx context.Context, cf compatFlags) (*strata.CompatResult, error) {
	if err := a.dirExists(); err != nil {
		return nil, err
	}
	dir, err := a.loadDir()
	if err != nil {
		return nil, err
	}
	text, err := os.ReadFile(a.path(cf.queries))
	if err != nil {
		return nil, usage(fmt.Errorf("--queries: %w", err))
	}
	live, err := a.open(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer live.Close()
	st, err := live.m.Status(ctx)
	if err != nil {
		return nil, err
	}
	p, err := live.m.Plan(ctx, cf.plan)
	if err != nil {
		return nil, err
	}
	var applied, skip []string
	for _, ms := range st.Migrations {
		switch {
		case ms.State == strata.StateApplied:
			applied = append(applied, ms.ID)
		case !slices.ContainsFunc(p.Steps, func(s strata.Step) bool { return s.Migration.ID() == ms.ID }):
			skip = append(skip, ms.ID) // beyond --to (or, with phases, of the other phase)
		}
	}
	server := a.target
	queries, err := strata.ParseQueries(cf.queries, string(text), server.Dialect.Scanner())
	if err != nil {
		return nil, usage(fmt.Errorf("--queries: %w", err))
	}
	if cf.scratchURL != "" {
		if server, err = a.parseURL(cf.scratchURL); err != nil {
			return nil, usage(fmt.Errorf("--scratch-url: %w", err))
		}
	}
	live.Close()
	liveName := a.target.DatabaseName()
	return a.onScratch(ctx, server, dir, func(m *strata.Migrator, scratch string) (*strata.CompatResult, error) {
		res, err := m.Compat(ctx, queries, strata.CompatOptions{Applied: applied, Skip: skip})
		if res != nil && liveName != "" {
			// MySQL names the database in its messages: the live one's
			// name says more than the scratch one's.
			for _, ps := range [][]strata.CompatProblem{res.Broken, res.Failing} {
				for i := range ps {
					ps[i].Message = strings.ReplaceAll(ps[i].Message, scratch, liveName)
				}
			}
		}
		return res, err
	})
}

// onScratch runs f with a Migrator for dir on a new scratch database on
// server, dropped afterwards.
func (a *app) onScratch(ctx context.Context, server *config.Target, dir *source.Dir, f func(m *strata.Migrator, scratch string) (*strata.CompatResult, error)) (*strata.CompatResult, error) {
	stale, _ := config.DropStale(ctx, server, time.Hour)
	for _, n := range stale {
		fmt.Fprintf(a.stderr, "dropped scratch database %s, left by a run that was killed\n", n)
	}
	sc, err := config.NewScratch(ctx, server)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := sc.Drop(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(a.stderr, "warning: could not drop scratch database %s: %s; drop it by hand\n", sc.Name, a.scrub(err.Error()))
		}
	}()
	db, err := sc.Target.DB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	safe, err := a.safe.options()
	if err != nil {
		return nil, err
	}
	opts := append([]strata.Option{strata.WithTable(a.table), strata.WithSessionSQL(a.sessionSQL...),
		strata.WithSourceName(a.dir), strata.WithVersion(buildVersion().Version)}, safe...)
	m, err := strata.NewFromDir(db, sc.Target.Dialect, dir, opts...)
	if err != nil {
		return nil, err
	}
	return f(m, sc.Name)
}

// capture writes the queries the target's server recorded to out.
func (a *app) capture(ctx context.Context, out string) error {
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.m.CaptureQueries(ctx)
	if err != nil {
		return err
	}
	w := a.stdout
	if out != "" {
		f, err := os.Create(a.path(out))
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer f.Close()
		w = f
	}
	header := []string{fmt.Sprintf("captured by strata compat --capture from %s at %s: %d queries",
		a.target.Redacted, time.Now().UTC().Format(time.RFC3339), len(c.Queries))}
	if err := strata.WriteQueries(w, header, c.Queries); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if out != "" {
		skipped := 0
		for _, n := range c.Skipped {
			skipped += n
		}
		a.printf("captured %s to %s (%d statements left out: not the application's, or holding a literal)\n", nQueries(len(c.Queries)), out, skipped)
		a.result(struct {
			Queries int            `json:"queries"`
			Out     string         `json:"out"`
			Skipped map[string]int `json:"skipped"`
		}{len(c.Queries), out, c.Skipped})
	}
	return nil
}
