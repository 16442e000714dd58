package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/schema"
)

// verifyFlags are the flags of strata verify.
type verifyFlags struct {
	scratchURL string
	down       bool
	idempotent bool
	staleAfter time.Duration
	schema     string // --schema: the file the built schema must equal
}

func (a *app) verifyCommand() *cobra.Command {
	var vf verifyFlags
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Apply every migration from zero to a scratch database, then drop it",
		Long: `Create a new database named strata_verify_<time>_<random> on the server of
--url (or --scratch-url; a temporary file for SQLite), apply every migration
from zero, one file at a time, print each file's outcome, and drop the database
again, also on failure or Ctrl-C. Nothing touches the database of --url.

--idempotent runs each file a second time right after it was applied, outside
the history (in a transaction that is rolled back on PostgreSQL and SQLite), and
reports the files that fail the second time. --down then runs every down file,
newest first, checks that nothing is left but strata's own tables (and what
repeatable migrations made), and applies everything again.

A verify that is killed (SIGKILL) cannot drop its database: every verify first
drops scratch databases older than an hour. Exits 4 when a file fails or
something is left over.

--schema FILE then reads the scratch database's schema and compares it with
FILE (written by strata schema dump): exit 9, printing what differs, when the
folder does not build the committed schema.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.verify(cmd.Context(), vf)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&vf.scratchURL, "scratch-url", "", "create the scratch database on this server instead of --url's (the URL's database is used to connect)")
	f.BoolVar(&vf.down, "down", false, "also run every down file, check the schema is empty, and apply everything again")
	f.BoolVar(&vf.idempotent, "idempotent", false, "run each file a second time right after it was applied, and report the files that fail")
	f.DurationVar(&vf.staleAfter, "stale-after", time.Hour, "drop scratch databases left by killed verify runs once they are this old")
	_ = f.MarkHidden("stale-after")
	f.StringVar(&vf.schema, "schema", "", "also check that the schema the folder builds equals this file (strata schema dump)")
	return cmd
}

// jsonVerifyFile is one file of `verify --json` output.
type jsonVerifyFile struct {
	Phase      string `json:"phase"`
	File       string `json:"file"`
	Version    string `json:"version,omitempty"`
	OK         bool   `json:"ok"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
	Line       int    `json:"line,omitempty"`
}

func (a *app) verify(ctx context.Context, vf verifyFlags) error {
	if err := a.dirExists(); err != nil {
		return err
	}
	// The folder's problems are reported before a scratch database exists.
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	var want *schema.Snapshot
	if vf.schema != "" {
		if want, err = readSchemaFile(a.path(vf.schema)); err != nil {
			return err
		}
	}
	var server *config.Target
	if vf.scratchURL != "" {
		if server, err = a.parseURL(vf.scratchURL); err != nil {
			return usage(fmt.Errorf("--scratch-url: %w", err))
		}
		a.target = server
	} else if server, err = a.resolveTarget(ctx); err != nil {
		return err
	}
	stale, err := config.DropStale(ctx, server, vf.staleAfter)
	for _, n := range stale {
		fmt.Fprintf(a.stderr, "dropped scratch database %s, left by a verify run that was killed\n", n)
	}
	if err != nil {
		var ce *config.ConnectError
		if errors.As(err, &ce) {
			return err
		}
		fmt.Fprintf(a.stderr, "warning: %s\n", a.scrub(err.Error()))
	}
	sc, err := config.NewScratch(ctx, server)
	if err != nil {
		return err
	}
	defer func() {
		if err := sc.Drop(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(a.stderr, "warning: could not drop scratch database %s: %s; drop it by hand, or a verify run after %s will\n", sc.Name, a.scrub(err.Error()), vf.staleAfter)
		}
	}()
	db, err := sc.Target.DB()
	if err != nil {
		return err
	}
	defer db.Close()
	safe, err := a.safe.options()
	if err != nil {
		return err
	}
	opts := append([]strata.Option{strata.WithTable(a.table), strata.WithSessionSQL(a.sessionSQL...),
		strata.WithSourceName(a.dir), strata.WithVersion(buildVersion().Version)}, safe...)
	m, err := strata.NewFromDir(db, sc.Target.Dialect, dir, opts...)
	if err != nil {
		return err
	}
	a.printf("verifying %s on scratch database %s (dropped afterwards)\n", plural(len(m.Dir().Versioned)+len(m.Dir().Repeatable), "migration"), sc.Name)
	res, err := m.Verify(ctx, strata.VerifyOptions{Down: vf.down, Idempotent: vf.idempotent})
	if err != nil {
		return err
	}
	if a.wantSummary() {
		a.summarize(func(w io.Writer) { mdVerify(w, res, sc.Name, a.scrub) })
	}
	out := struct {
		OK        bool             `json:"ok"`
		Scratch   string           `json:"scratch_database"`
		Files     []jsonVerifyFile `json:"files"`
		Leftovers []string         `json:"leftovers"`
		Dropped   []string         `json:"dropped_stale"`
		Schema    []schema.Change  `json:"schema_changes,omitempty"`
	}{OK: res.OK(), Scratch: sc.Name, Files: []jsonVerifyFile{}, Leftovers: append([]string{}, res.Leftovers...), Dropped: append([]string{}, stale...)}
	for _, f := range res.Files {
		jf := jsonVerifyFile{Phase: f.Phase, File: f.File, Version: f.Version, OK: f.Err == nil, DurationMS: f.Duration.Milliseconds()}
		what := f.File
		if f.Phase != strata.PhaseUp {
			what += " (" + f.Phase + ")"
		}
		if f.Err != nil {
			jf.Error = a.scrub(f.Err.Error())
			var se *strata.StatementError
			if errors.As(f.Err, &se) {
				jf.Line = se.Line
			}
			a.printf("FAIL  %s\n      %s\n", what, strings.ReplaceAll(jf.Error, "\n", "\n      "))
		} else {
			a.printf("ok    %s (%s)\n", what, fmtDuration(f.Duration))
		}
		out.Files = append(out.Files, jf)
	}
	for _, o := range res.Leftovers {
		a.printf("LEFT  %s is still there after every down file ran: a down file does not undo it\n", o)
	}
	if want != nil && res.OK() {
		built, err := m.Schema(ctx)
		if err != nil {
			return schemaErr(err)
		}
		out.Schema = schema.Diff(want, built)
		if out.Schema == nil {
			out.Schema = []schema.Change{}
		}
	}
	a.result(out)
	if len(out.Schema) > 0 {
		a.printf("schema: the folder builds a schema that differs from %s in %s:\n", vf.schema, plural(len(out.Schema), "object"))
		a.printChanges(out.Schema)
		a.printf("verify failed: update %s with strata schema dump --out %s on a database the folder built, or fix the files\n", vf.schema, vf.schema)
		return &exitStatus{code: ExitSchemaDrift, printed: true, err: errors.New("verify: schema differs from " + vf.schema)}
	}
	if want != nil && res.OK() {
		a.printf("schema matches %s\n", vf.schema)
	}
	if !res.OK() {
		a.printf("verify failed\n")
		return &exitStatus{code: ExitMigrationFailed, printed: true, err: errors.New("verify failed")}
	}
	a.printf("verify ok\n")
	return nil
}
