package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/source"
)

// newFlags are the flags of strata new.
type newFlags struct {
	down      bool // --down: also write the .down.sql file
	timestamp bool // --timestamp: YYYYMMDDHHMMSS version
	post      bool // --post-deploy: a post-deploy (contract) file
}

func (a *app) newCommand() *cobra.Command {
	var nf newFlags
	cmd := &cobra.Command{
		Use:   "new DESCRIPTION",
		Short: "Create the next-numbered migration file",
		Long: `Create a migration file in --dir (creating the folder if needed), named with
the next version and the description in lower case with underscores: "strata
new add users" after 0001_init.sql writes 0002_add_users.sql. Letters with
accents are written without them (café: cafe, Größe: grosse). Prints the file's
path. Needs no database.

The version follows the folder's style: after 14-digit timestamps the next is
the time now in UTC (YYYYMMDDHHMMSS), otherwise the head's number + 1 with the
same zero padding (0001 in an empty folder). --timestamp uses the time now
whatever the folder holds.

The file starts with a comment saying how strata runs it: in one transaction
with its history row, unless it says -- strata:no-transaction; its down file
is NNNN_name.down.sql beside it (--down writes one); and once applied it must
not be edited. A file applied with no statements at all is recorded as applied
with a warning, and later edits to it are refused.

--post-deploy writes a post-deploy file (docs/phases.md): the contract step
of a change, such as dropping a column the previous release still reads, run
by strata up --phase post-deploy after the new release is rolled out.`,
		Args: cobra.MinimumNArgs(1),
		RunE: a.run(func(_ *cobra.Command, args []string) error {
			return a.newFile(strings.Join(args, " "), time.Now(), nf)
		}),
	}
	cmd.Flags().BoolVar(&nf.down, "down", false, "also write the paired NNNN_name.down.sql file that strata down runs")
	cmd.Flags().BoolVar(&nf.post, "post-deploy", false, "write a post-deploy (contract) file, run after the rollout: into the --post-deploy-dir folder when it exists, else beside the others with -- strata:phase post-deploy")
	cmd.Flags().BoolVar(&nf.timestamp, "timestamp", false, "number the file with the time now in UTC (YYYYMMDDHHMMSS) instead of the folder's next number")
	return cmd
}

// upTemplate starts every file strata new writes.
const upTemplate = `-- %s
--
-- strata runs this file once, in a transaction with its history row: if a
-- statement fails, none of the file is applied. For statements that cannot
-- run in a transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE),
-- put the line "-- strata:no-transaction" above the first statement: the
-- file then runs statement by statement, with progress recorded after each.
-- To undo it, write %s beside it (strata down runs that file).
-- Once this file is applied, do not edit it: strata refuses to go on when
-- an applied file changed. Put further changes in a new file (strata new).

`

// downTemplate starts every down file strata new --down writes.
const downTemplate = `-- %s: undoes %s
--
-- strata down runs this file in a transaction with the removal of the
-- history row where the database allows; afterwards the up file counts as
-- not applied. Undo its statements here, in reverse order.

`

func (a *app) newFile(description string, now time.Time, nf newFlags) error {
	load, err := a.loadOptions()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(a.path(a.dir), 0o755); err != nil {
		return usage(fmt.Errorf("create the migrations folder: %w", err))
	}
	load.AllowEmpty = true // the first file goes into an empty folder
	load.PostDeployDir = a.postDir
	dir, err := source.LoadWith(source.DirFS(a.path(a.dir)), load)
	if err != nil {
		return usage(fmt.Errorf("the migrations folder %s has problems; fix them first:\n%w", a.dir, a.explainFolder(err)))
	}
	name, err := source.NewFileNameWith(dir, description, now, source.NewFileOptions{Timestamp: nf.timestamp})
	if err != nil {
		return usage(err)
	}
	downName := strings.TrimSuffix(name, ".sql") + ".down.sql"
	folder, content := a.dir, fmt.Sprintf(upTemplate, name, downName)
	if nf.post {
		folder, content = a.postDeployFile(content)
	}
	path := filepath.Join(folder, name)
	if err := a.createFile(path, content); err != nil {
		return err
	}
	out := map[string]string{"path": path}
	if nf.post {
		out["phase"] = string(source.PostDeploy)
	}
	if nf.down {
		downPath := filepath.Join(folder, downName)
		if err := a.createFile(downPath, fmt.Sprintf(downTemplate, downName, name)); err != nil {
			_ = os.Remove(a.path(path)) // nothing half-made
			return err
		}
		out["down_path"] = downPath
	}
	if a.wantJSON() {
		a.result(out)
		if a.json {
			return nil
		}
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout, path)
		if nf.down {
			fmt.Fprintln(a.stdout, out["down_path"])
		}
	}
	return nil
}

// createFile writes a file that must not exist yet.
func (a *app) createFile(path, content string) error {
	f, err := os.OpenFile(a.path(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usage(fmt.Errorf("%s already exists (another run created it just now?): run strata new again", path))
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		_ = os.Remove(a.path(path))
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}
