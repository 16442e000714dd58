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

func (a *app) newCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "new DESCRIPTION",
		Short: "Create the next-numbered empty migration file",
		Long: `Create an empty migration file in --dir (creating the folder if needed), named
with the next version and the description in lower case with underscores:
"strata new add users" after 0001_init.sql writes 0002_add_users.sql. Prints the
file's path. Needs no database.`,
		Args: cobra.MinimumNArgs(1),
		RunE: a.run(func(_ *cobra.Command, args []string) error {
			return a.newFile(strings.Join(args, " "), time.Now())
		}),
	}
}

func (a *app) newFile(description string, now time.Time) error {
	load, err := a.loadOptions()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return usage(fmt.Errorf("create the migrations folder: %w", err))
	}
	load.AllowEmpty = true // the first file goes into an empty folder
	dir, err := source.LoadWith(source.DirFS(a.dir), load)
	if err != nil {
		return usage(fmt.Errorf("the migrations folder %s has problems; fix them first:\n%w", a.dir, a.explainFolder(err)))
	}
	name, err := source.NewFileName(dir, description, now)
	if err != nil {
		return usage(err)
	}
	path := filepath.Join(a.dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usage(fmt.Errorf("%s already exists (another run created it just now?): run strata new again", path))
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if a.wantJSON() {
		a.result(map[string]string{"path": path})
		if a.json {
			return nil
		}
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout, path)
	}
	return nil
}
