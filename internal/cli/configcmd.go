package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-db/strata/internal/config"
)

func (a *app) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Show the resolved configuration and where each value came from",
		Long: `Print every global setting with its value and where it came from: a flag, an
environment variable (named), the configuration file (file:line) or the
default. Precedence: flag > environment > configuration file > default.

The configuration file is strata.toml in the working folder, or the file given
with --config (or STRATA_CONFIG). Its keys are the flag names:

  url = "postgres://app@db.internal:5432/app?sslmode=verify-full"
  dir = "db/migrations"
  lock-timeout = "5m"
  session-sql = ["SET lock_timeout = '5s'", "SET statement_timeout = 0"]
  password-file = "/run/secrets/db-password"

Passwords are shown as xxxxx; a --password-command is not run. Connects to
nothing. --json prints {"config_file", "settings": [{"name", "value", "source"}]}.`,
		Args: cobra.NoArgs,
		RunE: a.run(func(cmd *cobra.Command, _ []string) error {
			return a.showConfig(cmd)
		}),
	}
}

// jsonSetting is one setting in `config --json` output.
type jsonSetting struct {
	Name   string        `json:"name"`
	Value  any           `json:"value"`
	Source config.Source `json:"source"`
}

func (a *app) showConfig(cmd *cobra.Command) error {
	url, from, err := config.ResolveURL(a.url, a.urlSet, a.env, a.set.file, a.readFile)
	if err != nil {
		return usage(err)
	}
	t, err := a.parseURL(url)
	if err != nil {
		return usage(fmt.Errorf("%w (the URL came from %s)", err, from))
	}
	a.target = t
	a.set.urlSource = from
	settings := []jsonSetting{{Name: "url", Value: t.Redacted, Source: from}}
	settings = append(settings, a.passwordSetting())
	var cfgSrc config.Source
	cfgFile := ""
	if a.set.file != nil {
		cfgFile = a.set.file.Path
		cfgSrc = config.Source{Kind: config.FromDefault}
		if a.set.configPath != "" {
			cfgSrc = config.Source{Kind: config.FromFlag, Name: "--config"}
			if !cmd.Flags().Changed("config") {
				cfgSrc = config.Source{Kind: config.FromEnv, Name: config.EnvName("config")}
			}
		}
	}
	settings = append(settings, jsonSetting{Name: "config", Value: cfgFile, Source: cfgSrc})
	skip := map[string]bool{"url": true, "config": true, "help": true, "json": true}
	seen := map[string]bool{}
	cmd.Root().PersistentFlags().VisitAll(func(f *pflag.Flag) {
		seen[f.Name] = true
		if skip[f.Name] || f.Hidden {
			return
		}
		settings = append(settings, jsonSetting{Name: f.Name, Value: flagValue(f), Source: a.set.sources[f.Name]})
	})
	// Keys of the file for other commands' own flags (to = "5" for up).
	if a.set.file != nil {
		for _, k := range fileKeys(cmd.Root()) {
			if vs, ok := a.set.file.Values[k]; ok && !seen[k] {
				settings = append(settings, jsonSetting{Name: k, Value: strings.Join(vs, ","), Source: config.Source{Kind: config.FromFile, Name: a.set.file.Where(k)}})
			}
		}
	}
	for i := range settings {
		if s, ok := settings[i].Value.(string); ok {
			settings[i].Value = config.Redact(t.Scrub(s)) // app-url may hold its own password
		}
	}
	if a.wantJSON() {
		var file any
		if cfgFile != "" {
			file = cfgFile
		}
		a.result(map[string]any{"config_file": file, "settings": settings})
		if a.json {
			return nil
		}
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SETTING\tVALUE\tFROM")
	for _, s := range settings {
		v := fmt.Sprint(s.Value)
		if arr, ok := s.Value.([]string); ok {
			v = "[" + strings.Join(arr, "; ") + "]"
		}
		if v == "" {
			v = "-"
		}
		src := s.Source.String()
		if src == "" {
			src = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Name, v, src)
	}
	return w.Flush()
}

// passwordSetting describes the password source without printing the
// password or running a command.
func (a *app) passwordSetting() jsonSetting {
	s := jsonSetting{Name: "password"}
	in := a.passwordInput()
	from, err := in.PasswordSource()
	switch {
	case err != nil:
		s.Value = "error: " + err.Error()
	case from == "" && strings.Contains(a.target.Redacted, config.Mask):
		s.Value, s.Source = config.Mask, a.set.urlSource
		return s
	case from == "":
		s.Value, s.Source = "", config.Source{Kind: config.FromDefault}
		return s
	case in.Command != "":
		s.Value = "(the output of --password-command; not run here)"
	default:
		s.Value = config.Mask
	}
	switch {
	case in.File != "":
		s.Source = a.set.sources["password-file"]
	case in.Command != "":
		s.Source = a.set.sources["password-command"]
	case from != "":
		s.Source = config.Source{Kind: config.FromEnv, Name: config.PasswordEnv}
	}
	return s
}

// flagValue is a flag's value for printing: a list for repeatable flags.
func flagValue(f *pflag.Flag) any {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return sv.GetSlice()
	}
	return f.Value.String()
}
