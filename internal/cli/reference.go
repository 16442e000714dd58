package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-db/strata/internal/config"
)

// WriteReference writes the CLI reference into dir: one markdown file per
// command (strata.md, strata_up.md, ...) from the command tree's Use,
// Short, Long and flags. docs/cli is generated this way; TestCLIReference
// keeps it in step (go test ./internal/cli -run TestCLIReference -update).
func WriteReference(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, body := range Reference(Root()) {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Reference renders the reference of root and every visible command under
// it, by file name.
func Reference(root *cobra.Command) map[string][]byte {
	out := map[string][]byte{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		out[refFile(c)] = refPage(c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

func refFile(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

func refPage(c *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- Generated from the command tree by TestCLIReference; edit the command's help, then run: go test ./internal/cli -run TestCLIReference -update -->\n\n")
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", c.CommandPath(), c.Short)
	fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	if c.Long != "" {
		fmt.Fprintf(&b, "```text\n%s\n```\n\n", strings.TrimSpace(c.Long))
	}
	if c.HasParent() {
		flagTable(&b, "Flags", c.LocalNonPersistentFlags())
		fmt.Fprintf(&b, "Global flags: see [strata](%s).\n\n", refFile(c.Root()))
	} else {
		flagTable(&b, "Global flags", c.PersistentFlags())
		b.WriteString("## Commands\n\n")
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			fmt.Fprintf(&b, "- [%s](%s): %s\n", sub.CommandPath(), refFile(sub), sub.Short)
		}
		b.WriteString("\n")
	}
	if c.HasParent() && c.Parent().HasParent() {
		fmt.Fprintf(&b, "Part of [%s](%s).\n", c.Parent().CommandPath(), refFile(c.Parent()))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func flagTable(b *bytes.Buffer, title string, fs *pflag.FlagSet) {
	if !fs.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(b, "## %s\n\n| Flag | Default | Environment | Meaning |\n|---|---|---|---|\n", title)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "`--" + f.Name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		def := f.DefValue
		if def == "" || def == "[]" {
			def = "-"
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(b, "| %s | %s | `%s` | %s |\n", name, def, config.EnvName(f.Name), strings.ReplaceAll(f.Usage, "|", `\|`))
	})
	b.WriteString("\n")
}
