package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-db/strata/internal/config"
)

// settings are the configuration file, the password flags and where every
// setting came from.
type settings struct {
	configPath      string // --config
	passwordFile    string // --password-file
	passwordCommand string // --password-command
	requireTLS      bool   // --require-verified-tls
	awsIAM          bool   // --aws-iam

	file      *config.File   // the configuration file read, or nil
	sources   config.Sources // where each flag's value came from
	urlSource config.Source  // where the database URL came from, once resolved

	// requireURL: the command refuses the implicit default database
	// (run, check, await, wait and fleets query --url: pipelines, where a
	// missing secret must not pass green against a local SQLite file).
	requireURL bool
	// readOnly: the command changes nothing on the database (status,
	// check, plan, history, lint, await, dry runs); SQLite is opened
	// read-only and a missing file is an error rather than created.
	readOnly bool
	// fleet: the command runs on many targets, each named in its JSON.
	fleet bool
}

// noURL is the message of a command that needs an explicit database.
const noURL = "no database given: pass --url, or set STRATA_DATABASE_URL (or STRATA_DATABASE_URL_FILE), DATABASE_URL (or DATABASE_URL_FILE), or url in strata.toml; this command does not fall back to the local default " + config.DefaultURL

// announceTarget names the database a command runs against on stderr,
// with the password redacted, and warns when it is the implicit default.
func (a *app) announceTarget(t *config.Target, from config.Source) {
	if !from.Explicit() {
		a.logger().Warn("no database given (--url, STRATA_DATABASE_URL, DATABASE_URL, url in strata.toml): using the local default " + t.Redacted)
		return
	}
	a.logger().Info("database", "target", t.Redacted, "from", from.String())
}

// settingsFlags registers the global flags of the configuration file and
// the password.
func (s *settings) flags(f *pflag.FlagSet) {
	f.StringVar(&s.configPath, "config", "", "configuration file (default: "+config.DefaultFile+" in the working folder, when there is one)")
	f.StringVar(&s.passwordFile, "password-file", "", "file holding the database password, used instead of one in the URL")
	f.StringVar(&s.passwordCommand, "password-command", "", "command (run with sh -c) that prints the database password, used instead of one in the URL")
	f.BoolVar(&s.awsIAM, "aws-iam", false, "log in to RDS/Aurora with an IAM token minted from the standard AWS credential chain for each new connection (or aws_iam=true in the URL); forces TLS that verifies the server")
	f.BoolVar(&s.requireTLS, "require-verified-tls", false, "refuse, before connecting, a server URL whose TLS does not verify the server's certificate (PostgreSQL sslmode other than verify-full/verify-ca, MySQL tls other than true/verify-full/verify-ca)")
}

// loadSettings resolves every flag the command line did not give: from
// its STRATA_* variable, else the configuration file, else its default.
// It runs before every command.
func (a *app) loadSettings(cmd *cobra.Command) error {
	fs := cmd.Flags()
	// --config itself comes from the flag or STRATA_CONFIG only.
	if !fs.Changed("config") {
		if v, ok := a.env.Lookup(config.EnvName("config")); ok {
			a.set.configPath = v
		}
	}
	file, err := config.FindFile(a.wd, a.set.configPath, fileKeys(cmd.Root()))
	if err != nil {
		return usage(err)
	}
	a.set.file = file
	src, err := config.Apply(fs, a.env, file, "url", "config")
	if err != nil {
		return usage(err)
	}
	a.set.sources = src
	a.urlSet = fs.Changed("url")
	return nil
}

// fileKeys lists the keys a configuration file may set: the global flags
// (but not --config or --help) and the settings of single commands that
// belong in a file (--app-url). Other command flags, which choose an
// action (--to, --force, --applied), belong on the command line.
func fileKeys(root *cobra.Command) []string {
	keys := []string{"app-url", "keep-credentials-env", "severity"}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && f.Name != "config" && !f.Hidden {
			keys = append(keys, f.Name)
		}
	})
	sort.Strings(keys)
	return keys
}

// passwordInput is where the password comes from, per the flags.
func (a *app) passwordInput() config.PasswordInput {
	return config.PasswordInput{File: a.set.passwordFile, Command: a.set.passwordCommand, Env: a.env, Dir: a.wd}
}

// resolveTarget finds the database URL (flag, environment, configuration
// file or default), parses it and puts the password from --password-file,
// --password-command or STRATA_DB_PASSWORD into it. The target is kept in
// a.target so every later message is scrubbed of its secrets. Mistakes are
// usage errors.
func (a *app) resolveTarget(ctx context.Context) (*config.Target, error) {
	url, from, err := config.ResolveURL(a.url, a.urlSet, a.env, a.set.file, a.readFile)
	if err != nil {
		return nil, usage(err)
	}
	a.set.urlSource = from
	if a.set.requireURL && !from.Explicit() {
		return nil, usage(errors.New(noURL))
	}
	t, err := a.parseURL(url)
	if err != nil {
		return nil, usage(fmt.Errorf("%w (the URL came from %s)", err, from))
	}
	a.target = t
	a.announceTarget(t, from)
	if err := a.checkTLS(t); err != nil {
		return nil, err
	}
	if err := a.password(ctx, t); err != nil {
		return nil, err
	}
	return a.useDirect(ctx, t)
}

// checkTLS refuses, with --require-verified-tls, a target whose
// connections would not verify the server's certificate.
func (a *app) checkTLS(t *config.Target) error {
	if !a.set.requireTLS {
		return nil
	}
	return usage(t.RequireVerifiedTLS())
}

// password puts the password from --password-file, --password-command or
// STRATA_DB_PASSWORD into t; a command is run again for each new
// connection. The command runs only when a password is
// needed to connect: never for SQLite (a password-command from the
// configuration file is then ignored), never when the URL has a password,
// and never from a strata.toml found in the working folder unless the
// user trusts it (commandTrusted).
func (a *app) password(ctx context.Context, t *config.Target) error {
	in := a.passwordInput()
	from, err := in.PasswordSource()
	if err != nil {
		return usage(err)
	}
	if a.set.awsIAM || t.WantsIAM() {
		return a.awsIAM(ctx, t, from)
	}
	if in.Command != "" {
		switch {
		case !t.TakesPassword() && a.set.sources["password-command"].Kind == config.FromFile:
			return nil
		case !t.TakesPassword():
			return usage(t.SetPassword("")) // the error: SQLite has no passwords
		case t.HasPassword():
			return nil
		}
		if err := a.commandTrusted(); err != nil {
			return usage(err)
		}
	}
	pw, ok, err := in.Password(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return usage(err)
	}
	if ok {
		if err := setPassword(t, in, pw); err != nil {
			return usage(err)
		}
	}
	return nil
}

// setPassword gives t the password pw read from in: a command's is run
// again for every new connection after the first (see
// config.PasswordInput.PerConnection), a file's or variable's is fixed.
func setPassword(t *config.Target, in config.PasswordInput, pw string) error {
	if in.Command != "" {
		return t.SetPasswordFunc(in.PerConnection(pw))
	}
	return t.SetPassword(pw)
}

// commandTrusted refuses a password-command that comes from a strata.toml
// strata found in the working folder by itself: a cloned repository must
// not run commands on `strata status`. A file named by --config or
// STRATA_CONFIG is trusted, and so is any file when
// STRATA_TRUST_CONFIG_COMMANDS=1.
func (a *app) commandTrusted() error {
	src := a.set.sources["password-command"]
	if src.Kind != config.FromFile || a.set.configPath != "" {
		return nil
	}
	if v, _ := a.env.Lookup(config.TrustEnv); v == "1" {
		return nil
	}
	return fmt.Errorf("%s sets password-command, but strata does not run commands from a %s it found in the working folder by itself (a cloned repository could run anything): if you trust the file, pass --config %s (or set STRATA_CONFIG=%s), or set %s=1",
		src.Name, config.DefaultFile, config.DefaultFile, config.DefaultFile, config.TrustEnv)
}

// awsIAM makes t log in with IAM tokens; a password source besides is a
// mistake.
func (a *app) awsIAM(ctx context.Context, t *config.Target, from string) error {
	if from != "" {
		return usage(fmt.Errorf("IAM authentication (--aws-iam or aws_iam=true in the URL) mints the password itself: remove %s", from))
	}
	auth, err := t.LoadIAM(ctx, a.env)
	if err != nil {
		return usage(err)
	}
	return usage(t.SetAWSIAM(auth))
}
