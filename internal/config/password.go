package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
)

// PasswordEnv is the environment variable that holds the database password.
const PasswordEnv = "STRATA_DB_PASSWORD"

// PasswordInput is where the database password may come from. At most one
// may be set; a password from any of them replaces one in the URL.
type PasswordInput struct {
	// File names a file holding the password (--password-file); a
	// trailing newline is ignored.
	File string
	// Command is run with sh -c (--password-command); its trimmed
	// standard output is the password.
	Command string
	// Env is the environment: PasswordEnv, and the command's environment.
	Env Env
	// Dir is the working folder: a relative File is in it and Command
	// runs in it. "" is the process's working folder.
	Dir string
}

// PasswordSource names the configured password source, such as
// "--password-file" or "env STRATA_DB_PASSWORD", or "" when there is none.
// It is an error to configure more than one.
func (in PasswordInput) PasswordSource() (string, error) {
	var set []string
	if in.File != "" {
		set = append(set, "--password-file")
	}
	if in.Command != "" {
		set = append(set, "--password-command")
	}
	if _, ok := in.Env.Lookup(PasswordEnv); ok {
		set = append(set, "env "+PasswordEnv)
	}
	switch len(set) {
	case 0:
		return "", nil
	case 1:
		return set[0], nil
	}
	return "", fmt.Errorf("the database password is given more than once (%s): keep one of them", strings.Join(set, ", "))
}

// Password returns the password from the configured source, ok=false
// when none is configured. Errors never contain the password.
func (in PasswordInput) Password(ctx context.Context) (pw string, ok bool, err error) {
	from, err := in.PasswordSource()
	if err != nil || from == "" {
		return "", false, err
	}
	switch {
	case in.File != "":
		b, err := os.ReadFile(PathIn(in.Dir, in.File))
		if err != nil {
			return "", false, fmt.Errorf("read the database password from --password-file: %w", err)
		}
		pw = strings.TrimRight(string(b), "\r\n")
	case in.Command != "":
		pw, err = runPasswordCommand(ctx, in.Command, in.Env, in.Dir)
		if err != nil {
			return "", false, err
		}
	default:
		pw, _ = in.Env.Lookup(PasswordEnv)
	}
	if pw == "" {
		return "", false, fmt.Errorf("the database password from %s is empty: put the password in it", from)
	}
	return pw, true, nil
}

// runPasswordCommand runs command with sh -c and returns its trimmed
// standard output. On failure the error has the exit status and standard
// error, with anything the command printed on standard output removed.
func runPasswordCommand(ctx context.Context, command string, env Env, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Env, cmd.Dir = env.List(), dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := strings.TrimSpace(stdout.String())
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		for _, line := range strings.Split(out, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				msg = strings.ReplaceAll(msg, line, Mask)
			}
		}
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		status := err.Error()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			status = ee.ProcessState.String() // "exit status 3"
		}
		if msg == "" {
			msg = "(nothing on stderr)"
		}
		return "", fmt.Errorf("--password-command failed (%s): %s: fix the command or run it by hand to see why", status, msg)
	}
	return out, nil
}

// List returns the environment as KEY=VALUE pairs.
func (e Env) List() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// HasPassword reports whether the target already has a password (in its
// URL, or from SetPassword).
func (t *Target) HasPassword() bool {
	switch {
	case t.creds != nil:
		return true
	case t.pg != nil:
		return t.pg.Password != ""
	case t.my != nil:
		return t.my.Passwd != ""
	}
	return false
}

// TakesPassword reports whether the target's database has passwords at
// all (a server, not SQLite).
func (t *Target) TakesPassword() bool { return t.pg != nil || t.my != nil }

// TrustEnv is the environment variable that, set to 1, lets strata run a
// password-command from a strata.toml it found in the working folder.
const TrustEnv = "STRATA_TRUST_CONFIG_COMMANDS"

// SetPassword makes the target connect with password pw, replacing any
// password in the URL, and adds it to the secrets scrubbed from messages.
// SQLite has no passwords: it is an error there.
func (t *Target) SetPassword(pw string) error {
	switch {
	case t.pg != nil:
		t.pg.Password = pw
	case t.my != nil:
		t.my.Passwd = pw
		t.DSN = t.my.FormatDSN()
	default:
		return errors.New("a database password was given, but SQLite has no passwords: remove it (--password-file, --password-command or " + PasswordEnv + ")")
	}
	t.addSecret(pw)
	return nil
}

// addSecret adds s, and its escaped forms, to the secrets scrubbed from
// messages, longest first.
func (t *Target) addSecret(s string) {
	if s == "" {
		return
	}
	t.secrets = append(t.secrets, escapedForms(s)...)
	sortLongestFirst(t.secrets)
}

// escapedForms is s as written and as escaped in URLs.
func escapedForms(s string) []string {
	return []string{s, url.QueryEscape(s), url.PathEscape(s), url.UserPassword("u", s).String()[2:]}
}

func sortLongestFirst(out []string) {
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
}
