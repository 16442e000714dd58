package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata"
	"github.com/strata-db/strata/schema"
)

func (a *app) driftCommand() *cobra.Command {
	var against string
	cmd := &cobra.Command{
		Use:   "drift [--against FILE]",
		Short: "Compare the live schema with the snapshot recorded after the last run",
		Long: `Read the database's schema from its catalogs and compare it with the snapshot
strata recorded after the last run that changed the schema (up, down, redo,
baseline, resolve --accept-drift), read-only and without the lock. Prints each
object that was added, removed or changed, with the changed attributes.
--against FILE compares with a file written by strata schema dump instead (a
committed schema.sql). Exit 0 when nothing differs (or no snapshot was recorded
yet), 9 when something does.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.drift(cmd.Context(), against)
		}),
	}
	cmd.Flags().StringVar(&against, "against", "", "compare with this schema file (strata schema dump) instead of the recorded snapshot")
	return cmd
}

// jsonSnapshot describes a recorded snapshot in --json output.
type jsonSnapshot struct {
	Version string    `json:"version"`
	Hash    string    `json:"hash"`
	TakenAt time.Time `json:"taken_at"`
	TakenBy string    `json:"taken_by"`
	Reason  string    `json:"reason"`
}

// jsonDrift is `strata drift --json` output.
type jsonDrift struct {
	Drift          bool            `json:"drift"`
	Against        string          `json:"against"` // "snapshot" or the file
	Snapshot       *jsonSnapshot   `json:"snapshot"`
	CurrentVersion string          `json:"current_version,omitempty"`
	Stale          bool            `json:"stale"`
	LiveHash       string          `json:"live_hash,omitempty"`
	Changes        []schema.Change `json:"changes"`
}

// readSchemaFile reads a file strata schema dump wrote.
func readSchemaFile(path string) (*schema.Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usage(fmt.Errorf("read schema file: %w", err))
	}
	s, err := schema.Parse(string(b))
	if err != nil {
		return nil, usage(fmt.Errorf("%s: %w (write it with strata schema dump --out %s)", path, err, path))
	}
	return s, nil
}

func (a *app) drift(ctx context.Context, against string) error {
	a.set.readOnly = true
	var file *schema.Snapshot
	if against != "" {
		var err error
		if file, err = readSchemaFile(a.path(against)); err != nil {
			return err
		}
	}
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	out := jsonDrift{Against: "snapshot", Changes: []schema.Change{}}
	var what string
	if file != nil {
		live, err := s.m.Schema(ctx)
		if err != nil {
			return schemaErr(err)
		}
		out.Against, out.LiveHash = against, live.Hash()
		out.Changes = append(out.Changes, schema.Diff(file, live)...)
		what = against
	} else {
		rep, err := s.m.Drift(ctx)
		if err != nil {
			return schemaErr(err)
		}
		out.CurrentVersion, out.Stale, out.LiveHash = rep.Current, rep.Stale, rep.LiveHash
		if rep.Recorded == nil {
			a.result(out)
			a.printf("no schema snapshot recorded yet: strata records one after every run that changes the schema (or record the live schema with strata resolve --accept-drift --reason TEXT)\n")
			return nil
		}
		r := rep.Recorded
		out.Snapshot = &jsonSnapshot{Version: r.Version, Hash: r.Hash, TakenAt: r.TakenAt.UTC(), TakenBy: r.TakenBy, Reason: r.Reason}
		out.Changes = append(out.Changes, rep.Changes...)
		what = fmt.Sprintf("the snapshot taken at version %s (%s, %s by %s)", orNone(r.Version), r.Reason, r.TakenAt.UTC().Format(time.DateTime+" UTC"), r.TakenBy)
		if rep.Stale {
			a.printf("note: the snapshot was taken at version %s but the database is at version %s (a run stopped before it could record one, or the history was changed by hand): the differences include what those files changed\n",
				orNone(r.Version), orNone(rep.Current))
		}
	}
	out.Drift = len(out.Changes) > 0
	a.result(out)
	if !out.Drift {
		a.printf("no drift: the schema matches %s\n", what)
		return nil
	}
	verb := "differ"
	if len(out.Changes) == 1 {
		verb = "differs"
	}
	a.printf("schema drift: %s %s from %s\n", plural(len(out.Changes), "object"), verb, what)
	a.printChanges(out.Changes)
	return &exitStatus{code: ExitSchemaDrift, printed: true, err: errors.New("the schema drifted")}
}

// schemaErr turns ErrSchemaUnsupported into words.
func schemaErr(err error) error {
	if errors.Is(err, strata.ErrSchemaUnsupported) {
		return usage(errors.New("this database's dialect cannot read its schema, so strata cannot detect drift on it"))
	}
	return err
}

// opMarks are the first column of a change in text output.
var opMarks = map[schema.Op]string{schema.Added: "+", schema.Removed: "-", schema.Changed: "~", schema.Moved: ">"}

// printChanges prints changes object by object, with their attributes.
func (a *app) printChanges(changes []schema.Change) {
	for _, c := range changes {
		a.printf("%s %s %s (%s)\n", opMarks[c.Op], c.Kind, a.scrub(c.Name), c.Op)
		for _, at := range c.Attrs {
			switch at.Op {
			case schema.Added, schema.Removed:
				v := at.New
				if at.Op == schema.Removed {
					v = at.Old
				}
				a.printf("    %s %s: %s\n", opMarks[at.Op], at.Key, indentValue(a.scrub(v), "        "))
			case schema.Moved:
				a.printf("    %s %s: moved\n", opMarks[at.Op], at.Key)
			default:
				a.printf("    ~ %s\n        was: %s\n        now: %s\n", at.Key, indentValue(a.scrub(at.Old), "             "), indentValue(a.scrub(at.New), "             "))
			}
		}
	}
}

// indentValue indents the lines after the first of a multi-line value.
func indentValue(v, indent string) string {
	return strings.ReplaceAll(v, "\n", "\n"+indent)
}

func (a *app) schemaCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Read the database's schema (strata schema dump)",
		Args:  cobra.NoArgs,
	}
	var out string
	dump := &cobra.Command{
		Use:   "dump [--out FILE]",
		Short: "Write the database's schema in strata's canonical text form",
		Long: `Read the database's schema from its catalogs (no pg_dump or mysqldump needed)
and write it in strata's canonical text form: one block per object, sorted by
kind and name, the same whatever order the objects were created in. strata's
own tables are left out. Commit the file (schema.sql) so that every schema
change shows in a pull request's diff; strata drift --against FILE and strata
verify --schema FILE compare a database with it.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.schemaDump(cmd.Context(), out)
		}),
	}
	dump.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	cmd.AddCommand(dump)
	return cmd
}

func (a *app) schemaDump(ctx context.Context, out string) error {
	a.set.readOnly = true
	s, err := a.open(ctx, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	snap, err := s.m.Schema(ctx)
	if err != nil {
		return schemaErr(err)
	}
	text := snap.Text()
	if out == "" {
		if a.json {
			a.result(map[string]any{"hash": snap.Hash(), "objects": len(snap.Objects), "text": text})
			return nil
		}
		_, err := fmt.Fprint(a.stdout, text)
		return err
	}
	if err := os.WriteFile(a.path(out), []byte(text), 0o644); err != nil {
		return fmt.Errorf("write the schema: %w", err)
	}
	a.result(map[string]any{"hash": snap.Hash(), "objects": len(snap.Objects), "file": out})
	a.printf("wrote %s (%s, sha256 %s)\n", out, plural(len(snap.Objects), "object"), snap.Hash())
	return nil
}
