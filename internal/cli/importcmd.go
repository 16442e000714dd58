package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/internal/config"
	"github.com/strata-db/strata/internal/importer"
	"github.com/strata-db/strata/source"
)

// importFlags are strata import's own flags.
type importFlags struct {
	from, to, table, reason string
	apply, check            bool
	exclude                 []string
}

func (a *app) importCommand() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import TOOL|auto --from DIR [--to DIR] [--apply] [--exclude PATH]... [--check]",
		Short: "Switch from another migration tool: convert its folder and import its history",
		Long: `Convert another tool's migrations folder (--from) into strata's layout (--to,
default --dir) and record the files that tool applied, read from its own history
table, as applied in strata's history. TOOL is golang-migrate, goose, dbmate,
flyway, tern, sql-migrate, liquibase, or auto (detect it from the folder).

Without --apply nothing is written: strata prints each old file, the new file,
whether the old tool applied it and why, and the SQL it would write. With
--apply it writes the folder (refusing a --to folder that holds other files)
and the history rows, in one transaction under the migration lock, with an
audit entry each; running it again changes nothing. A dirty or failed state in
the old table, a gap, an applied file missing from the folder or a checksum
the old tool recorded differently stops the import (exit 3) and changes
nothing. --check compares the two histories after an import (exit 3 when they
disagree). Files that cannot be converted faithfully (Go migrations,
templates) stop the import unless listed with --exclude.`,
		Args: cobra.ExactArgs(1),
		RunE: a.run(func(cmd *cobra.Command, args []string) error {
			return a.importRun(cmd.Context(), args[0], f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "the other tool's migrations folder (required)")
	fl.StringVar(&f.to, "to", "", "the folder to write strata's files to (default: --dir)")
	fl.BoolVar(&f.apply, "apply", false, "write the files and the history rows (without it: a dry run)")
	fl.BoolVar(&f.check, "check", false, "report whether strata's history and the old tool's agree")
	fl.StringSliceVar(&f.exclude, "exclude", nil, "a file of --from to leave out (repeatable)")
	fl.StringVar(&f.table, "tool-table", "", "the old tool's history table, when not its default")
	fl.StringVar(&f.reason, "reason", "", "why, kept in the audit trail")
	return cmd
}

// importRow is one line of the mapping, for text and --json.
type importRow struct {
	Old       string `json:"old"`
	New       string `json:"new"`
	Key       string `json:"tool_version"`
	State     string `json:"state"` // applied or pending
	Why       string `json:"why"`
	AppliedAt string `json:"applied_at,omitempty"`
}

func (a *app) importRun(ctx context.Context, toolArg string, f importFlags) error {
	if f.from == "" {
		return usage(errors.New("import needs --from: the other tool's migrations folder"))
	}
	if f.to == "" {
		f.to = a.dir
	}
	src := os.DirFS(a.path(f.from))
	var tool importer.Tool
	var evidence []string
	var err error
	if toolArg == "auto" {
		if tool, evidence, err = importer.Detect(src); err != nil {
			return usage(fmt.Errorf("import auto: %w; name the tool instead of auto", err))
		}
	} else if tool, err = importer.ParseTool(toolArg); err != nil {
		return usage(fmt.Errorf("import: %w, or auto", err))
	}
	t, err := a.resolveTarget(ctx)
	if err != nil {
		return err
	}
	conv, err := importer.Convert(tool, src, importer.ConvertOptions{Exclude: f.exclude, Dialect: t.Dialect.Scanner()})
	if err != nil {
		return usage(fmt.Errorf("import %s from %s: %w; fix the file or leave it out with --exclude PATH", tool, f.from, err))
	}
	// The converted folder is loaded from memory: writing it twice (once
	// to load it, once with --apply) would cost more than the import.
	files := convertedFiles(conv)
	if f.apply {
		if err := sameOrEmpty(files, f.to, a.path(f.to)); err != nil {
			return usage(err)
		}
	}
	dir, err := source.LoadWith(files, source.LoadOptions{})
	if err != nil {
		return fmt.Errorf("the converted folder does not load: %w", err)
	}
	a.dir = f.from // exists; the folder itself comes from memory
	s, err := a.openTarget(ctx, t, dir, a.progress, strata.WithSourceName(f.to))
	if err != nil {
		return err
	}
	defer s.Close()
	table, err := importer.FindTable(ctx, s.db, t.Dialect, tool, f.table)
	if err != nil {
		return &exitStatus{code: ExitDrift, err: fmt.Errorf("import %s: %w: run it where %s migrated this database, or name its table with --tool-table", tool, err, tool)}
	}
	h, err := importer.ReadHistory(ctx, s.db, t.Dialect, tool, table)
	if err == nil {
		var match *importer.Match
		if match, err = importer.MatchHistory(conv, h); err == nil {
			return a.importMatched(ctx, s.m, conv, match, evidence, f)
		}
	}
	var he *importer.HistoryError
	if errors.As(err, &he) {
		return &exitStatus{code: ExitDrift, err: fmt.Errorf("refusing to import: %w; nothing was written", err)}
	}
	return err
}

func (a *app) importMatched(ctx context.Context, m *strata.Migrator, conv *importer.Conversion, match *importer.Match, evidence []string, f importFlags) error {
	plan := strata.ImportPlan{Tool: string(conv.Tool), Reason: f.reason}
	rows := make([]importRow, 0, len(match.Rows))
	for _, r := range match.Rows {
		name := r.File.UpName()
		row := importRow{Old: filepath.Join(f.from, r.File.Source), New: filepath.Join(f.to, name), Key: r.File.ToolVersion, State: "pending", Why: r.Why}
		if r.Applied {
			row.State = "applied"
			if !r.AppliedAt.IsZero() {
				row.AppliedAt = r.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
			}
			v, err := source.ParseVersion(r.File.Version)
			if err != nil {
				return fmt.Errorf("converted version %q: %w", r.File.Version, err)
			}
			plan.Entries = append(plan.Entries, strata.ImportEntry{Version: v, AppliedAt: r.AppliedAt, Detail: r.Why})
		}
		rows = append(rows, row)
	}
	if f.check {
		return a.importCheck(ctx, m, match, rows)
	}
	var written bool
	var res *strata.ImportResult
	if f.apply {
		if err := writeConverted(conv, f.to, a.path(f.to)); err != nil {
			return err
		}
		written = true
		var err error
		if res, err = m.Import(ctx, plan); err != nil {
			return err
		}
	}
	queries, err := m.ImportSQL(plan)
	if err != nil {
		return err
	}
	if a.wantJSON() {
		var sqlText []string
		for _, q := range queries {
			sqlText = append(sqlText, renderQuery(m.Dialect(), q.SQL, q.Args))
		}
		doc := struct {
			Tool     string      `json:"tool"`
			Evidence []string    `json:"evidence,omitempty"`
			Table    string      `json:"tool_table"`
			Applied  bool        `json:"apply"`
			Files    []importRow `json:"files"`
			SQL      []string    `json:"sql"`
			Recorded []string    `json:"recorded"`
			Skipped  []string    `json:"skipped"`
		}{Tool: string(conv.Tool), Evidence: evidence, Table: match.Table, Applied: f.apply, Files: rows, SQL: nonNil(sqlText)}
		if res != nil {
			doc.Recorded, doc.Skipped = nonNil(res.Recorded), nonNil(res.Skipped)
		} else {
			doc.Recorded, doc.Skipped = []string{}, []string{}
		}
		a.result(doc)
		if a.json {
			return nil
		}
	}
	if len(evidence) > 0 {
		a.printf("detected %s: %s\n", conv.Tool, strings.Join(evidence, "; "))
	}
	if conv.Mapping != "" {
		a.printf("versions: %s\n", conv.Mapping)
	}
	a.printf("%s history: %s\n", conv.Tool, match.Table)
	for _, r := range rows {
		a.printf("%s -> %s: %s (%s)\n", r.Old, r.New, r.State, r.Why)
	}
	if !f.apply {
		a.printf("\nSQL it would write to the history table (each row also gets an audit entry):\n")
		for _, q := range queries {
			a.printf("%s;\n", renderQuery(m.Dialect(), q.SQL, q.Args))
		}
		a.printf("\ndry run: nothing was written; run again with --apply to write %s and the history\n", f.to)
		return nil
	}
	if written {
		a.printf("wrote %s\n", plural(len(conv.Files), "file")+" to "+f.to)
	}
	a.printf("imported %s from %s (%s already recorded); strata up applies the rest\n",
		plural(len(res.Recorded), "applied migration"), conv.Tool, plural(len(res.Skipped), "row"))
	return nil
}

// importCheck compares strata's history with the old tool's.
func (a *app) importCheck(ctx context.Context, m *strata.Migrator, match *importer.Match, rows []importRow) error {
	st, err := m.Status(ctx)
	if err != nil {
		return err
	}
	applied := map[string]bool{}
	for _, ms := range st.Migrations {
		if ms.State == strata.StateApplied {
			applied[ms.Version.String()] = true
		}
	}
	var differ []string
	for i, r := range match.Rows {
		if r.File.Repeatable {
			continue
		}
		v, err := source.ParseVersion(r.File.Version)
		if err != nil {
			return fmt.Errorf("converted version %q: %w", r.File.Version, err)
		}
		if in := applied[v.String()]; in != r.Applied {
			old := "pending"
			if r.Applied {
				old = "applied"
			}
			now := "pending"
			if in {
				now = "applied"
			}
			differ = append(differ, fmt.Sprintf("%s: %s in %s, %s in strata", rows[i].New, old, match.Table, now))
		}
	}
	if a.wantJSON() {
		a.result(struct {
			Agree   bool     `json:"agree"`
			Table   string   `json:"tool_table"`
			Differs []string `json:"differs"`
		}{len(differ) == 0, match.Table, nonNil(differ)})
	}
	if len(differ) == 0 {
		a.printf("strata's history and %s agree: %s applied\n", match.Table, plural(len(match.Applied()), "file"))
		return nil
	}
	for _, d := range differ {
		a.printf("%s\n", d)
	}
	return &exitStatus{code: ExitDrift, printed: a.json, err: fmt.Errorf("strata's history and %s disagree on %s", match.Table, plural(len(differ), "file"))}
}

// convertedFiles is conv as a file system, by strata file name.
func convertedFiles(conv *importer.Conversion) fstest.MapFS {
	files := fstest.MapFS{}
	for _, cf := range conv.Files {
		files[cf.UpName()] = &fstest.MapFile{Data: cf.Up, Mode: 0o644}
		if cf.Down != nil {
			files[cf.DownName()] = &fstest.MapFile{Data: cf.Down, Mode: 0o644}
		}
	}
	return files
}

// sameOrEmpty refuses a --to folder that holds files other than those of
// the conversion (an import run again finds its own files). to is the
// folder as the user named it, dir where it is.
func sameOrEmpty(files fstest.MapFS, to, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		want, ok := files[e.Name()]
		got, gerr := os.ReadFile(filepath.Join(dir, e.Name()))
		if !ok || gerr != nil || !bytes.Equal(want.Data, got) {
			return fmt.Errorf("the folder %s already holds %s, which the import would not write: give an empty or new folder with --to", to, e.Name())
		}
	}
	return nil
}

// writeConverted writes conv to the folder to (as the user named it; dir
// is where it is), unless it already holds exactly the conversion.
func writeConverted(conv *importer.Conversion, to, dir string) error {
	entries, _ := os.ReadDir(dir)
	if len(entries) > 0 {
		return nil // sameOrEmpty checked that they are the conversion's files
	}
	if len(entries) == 0 {
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := conv.Write(dir); err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	return nil
}

// renderQuery shows q with its arguments inlined, for a dry run to print.
func renderQuery(d dialect.Dialect, q string, args []any) string {
	vals := make([]string, len(args))
	for i, v := range args {
		vals[i] = sqlLiteral(v)
	}
	// The dialect's placeholders: numbered ($1, ?1) or all alike (?),
	// which then stand for the arguments in order. The query is scanned
	// once, so a value holding a placeholder's text is left alone.
	marks := make([]string, len(vals))
	for i := range marks {
		marks[i] = d.Placeholder(i + 1)
	}
	numbered := len(marks) < 2 || marks[0] != marks[1]
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); {
		best := -1
		for j, m := range marks {
			if numbered && strings.HasPrefix(q[i:], m) && (best < 0 || len(m) > len(marks[best])) {
				best = j
			}
		}
		if !numbered && n < len(marks) && strings.HasPrefix(q[i:], marks[n]) {
			best = n
			n++
		}
		if best >= 0 {
			b.WriteString(vals[best])
			i += len(marks[best])
			continue
		}
		b.WriteByte(q[i])
		i++
	}
	return b.String()
}

// sqlLiteral writes one argument as an SQL literal.
func sqlLiteral(v any) string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return quote(x)
	case sql.NullString:
		if !x.Valid {
			return "NULL"
		}
		return quote(x.String)
	case time.Time:
		return quote(x.UTC().Format("2006-01-02 15:04:05.999999"))
	case sql.NullTime:
		if !x.Valid {
			return "NULL"
		}
		return quote(x.Time.UTC().Format("2006-01-02 15:04:05.999999"))
	case int, int64:
		return fmt.Sprint(x)
	}
	return quote(fmt.Sprint(v))
}

// keepWriter is the writer of --keep-writing's tool's history table; from
// is --keep-writing-from, the tool's folder as given, and fromDir where it is.
func keepWriter(name, from, fromDir string, t *config.Target) (*importer.KeepWriter, error) {
	tool, err := importer.ParseTool(name)
	if err != nil {
		return nil, usage(fmt.Errorf("--keep-writing: %w", err))
	}
	w, err := importer.NewKeepWriter(tool, t.Dialect, dialect.Table{})
	if err != nil {
		return nil, usage(fmt.Errorf("--keep-writing: %w", err))
	}
	if !importer.NeedsFolder(tool) {
		return w, nil
	}
	if from == "" {
		return nil, usage(fmt.Errorf("--keep-writing %s needs --keep-writing-from DIR, the %s folder: its rows name the tool's files", tool, tool))
	}
	conv, err := importer.Convert(tool, os.DirFS(fromDir), importer.ConvertOptions{})
	var ue *importer.UnconvertibleError
	if err != nil && !errors.As(err, &ue) { // files it cannot convert were excluded at import
		return nil, usage(fmt.Errorf("--keep-writing-from %s: %w", from, err))
	}
	w.UseFolder(conv)
	return w, nil
}

// otherTools looks for another tool's history table when strata's own
// history does not exist yet, and describes what it found with the
// command that takes the history over ("" when nothing is found).
func otherTools(ctx context.Context, db *sql.DB, t *config.Target, historyExists bool) (found, hint string, err error) {
	if historyExists {
		return "", "", nil
	}
	others, err := importer.FindOthers(ctx, db, t.Dialect)
	if err != nil || len(others) == 0 {
		return "", "", err
	}
	var names []string
	for _, o := range others {
		names = append(names, fmt.Sprintf("%s's %s (%s)", o.Tool, o.Table, plural(o.Rows, "row")))
	}
	found = "this database has no strata history but holds " + strings.Join(names, ", ")
	hint = fmt.Sprintf("take the history over with: strata import %s --from DIR (the %s folder; a dry run first, then --apply), see docs/switching.md", others[0].Tool, others[0].Tool)
	return found, hint, nil
}

// refuseOtherTool stops the first up on a database another tool migrated:
// without strata's history it would run every file again.
func (a *app) refuseOtherTool(ctx context.Context, s *openDB) error {
	table, err := strata.ParseTable(a.table)
	if err != nil {
		return nil // up reports it
	}
	// One catalog query, not a read of the whole history.
	exists, err := a.target.Dialect.TableExists(ctx, s.db, table)
	if err != nil || exists {
		return nil // up reports a database it cannot read itself
	}
	found, hint, err := otherTools(ctx, s.db, a.target, false)
	if err != nil || found == "" {
		return err
	}
	return &exitStatus{code: ExitDrift, err: fmt.Errorf("refusing to migrate: %s, so its files were applied by that tool and would run again; %s", found, hint)}
}
