package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/internal/config"
)

// Root returns strata's command tree with every command and flag, for
// generating the CLI reference and for tests that visit every command.
// To run strata, use Main.
func Root() *cobra.Command {
	a := &app{env: config.Env{}, stdout: io.Discard, stderr: io.Discard}
	return a.rootCommand()
}
