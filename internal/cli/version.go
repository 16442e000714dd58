package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is strata's version, set when building a release:
//
//	go build -ldflags "-X github.com/strata-db/strata/internal/cli.Version=v1.2.3" ./cmd/strata
//
// When empty, the module version from the build info is used.
var Version string

// Commit is the source revision, set like Version; when empty, the
// build info's vcs.revision is used.
var Commit string

// buildInfo is what `strata version` prints.
type buildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
}

func buildVersion() buildInfo {
	bi := buildInfo{Version: Version, Commit: Commit, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if ok {
		if bi.Version == "" && info.Main.Version != "(devel)" {
			bi.Version = info.Main.Version
		}
		if bi.Commit == "" {
			dirty := false
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					bi.Commit = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if bi.Commit != "" && dirty {
				bi.Commit += "-dirty"
			}
		}
	}
	if bi.Version == "" {
		bi.Version = "dev"
	}
	return bi
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print strata's version and commit",
		Args:  cobra.NoArgs,
		RunE: a.run(func(*cobra.Command, []string) error {
			bi := buildVersion()
			if a.wantJSON() {
				a.result(bi)
				if a.json {
					return nil
				}
			}
			line := "strata " + bi.Version
			if bi.Commit != "" {
				line += " (commit " + bi.Commit + ")"
			}
			fmt.Fprintln(a.stdout, line+" "+bi.Go)
			return nil
		}),
	}
}
