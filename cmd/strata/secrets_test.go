package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/internal/cli"
	"github.com/strata-db/strata/internal/testdb"
)

// commandArgs are reasonable arguments for commands that need some; a
// command not listed runs with none (a usage error still prints output,
// which is grepped too).
var commandArgs = map[string][]string{
	"new":        {"leak check"},
	"resolve":    {"1", "--applied", "--reason", "leak test"},
	"history":    {"1"},
	"baseline":   {"1", "--reason", "leak test"},
	"down":       {"1", "--reason", "leak test"},
	"run":        {"--", "true"},
	"await":      {"--", "true"},
	"completion": {"bash"},
	"help":       {"up"},
}

// leafCommands returns the path (without "strata") of every runnable
// command in the real CLI's tree, and whether it has a --timeout flag.
func leafCommands(t *testing.T) map[string]*cobra.Command {
	t.Helper()
	out := map[string]*cobra.Command{}
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Hidden {
			return // the pointers from other tools' commands (create, migrate, ...): a usage error only
		}
		if c.Runnable() && len(path) > 0 {
			out[strings.Join(path, " ")] = c
		}
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	root := cli.Root()
	root.InitDefaultHelpCmd()
	walk(root, nil)
	if len(out) < 10 {
		t.Fatalf("only %d commands found", len(out))
	}
	return out
}

// TestEveryCommandHidesPassword runs every strata command, on PostgreSQL and
// MariaDB, with the password given every way strata takes one (in the URL,
// STRATA_DB_PASSWORD, --password-file, --password-command), and in
// failing ways (unreachable server, wrong password, a failing password
// command that prints it), in text, verbose and --json modes with a
// --report file, and greps every byte strata wrote for the password.
func TestEveryCommandHidesPassword(t *testing.T) {
	t.Parallel()
	cmds := leafCommands(t)
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, kind)
			pw := "Lk" + randomHex(6) + "-p@ss/w:rd"
			_, withPW := dbUser(t, kind, db, pw, migrationUser(kind)...)
			u, err := url.Parse(withPW)
			if err != nil {
				t.Fatal(err)
			}
			bare := *u
			bare.User = url.User(u.User.Username())
			unreachable := bare
			unreachable.Host = "127.0.0.1:1"
			wrong := *u
			wrong.User = url.UserPassword(u.User.Username(), pw+"-wrong")

			f := newFolder(t)
			f.write("0001_t.sql", "CREATE TABLE leak_t (id int);\n")
			f.write("0001_t.down.sql", "DROP TABLE leak_t;\n")
			f.write("0002_u.sql", "CREATE TABLE leak_u (id int);\n")
			pwFile := filepath.Join(t.TempDir(), "pw")
			if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			type variant struct {
				name string
				env  []string
				args []string
			}
			variants := []variant{
				{"url", []string{"STRATA_DATABASE_URL=" + withPW}, nil},
				{"env", []string{"STRATA_DATABASE_URL=" + bare.String(), "STRATA_DB_PASSWORD=" + pw}, []string{"-v"}},
				{"file", []string{"STRATA_DATABASE_URL=" + bare.String()}, []string{"--password-file", pwFile}},
				{"command", []string{"STRATA_DATABASE_URL=" + bare.String()}, []string{"--password-command", "cat " + pwFile}},
				{"unreachable", []string{"STRATA_DATABASE_URL=" + unreachable.String(), "STRATA_DB_PASSWORD=" + pw}, []string{"--json"}},
				{"wrong", []string{"STRATA_DATABASE_URL=" + wrong.String()}, []string{"--json"}},
				{"failing-command", []string{"STRATA_DATABASE_URL=" + bare.String()}, []string{"--password-command", "cat " + pwFile + "; cat " + pwFile + " >&2; exit 3"}},
			}
			forms := []string{pw, url.QueryEscape(pw), url.PathEscape(pw), pw[:10]}
			runs := 0
			for _, v := range variants {
				for path, c := range cmds {
					args := append(strings.Fields(path), commandArgs[c.Name()]...)
					flags := append([]string{"--dir", f.dir}, v.args...)
					if c.Flags().Lookup("timeout") != nil {
						flags = append(flags, "--timeout", "2s")
					}
					report := ""
					if c.Flags().Lookup("report") != nil {
						report = filepath.Join(t.TempDir(), "report.json")
						flags = append(flags, "--report", report)
					}
					// Flags go before a "--" that ends strata's own.
					if i := indexOf(args, "--"); i >= 0 {
						args = append(append(append([]string{}, args[:i]...), flags...), args[i:]...)
					} else {
						args = append(args, flags...)
					}
					r := strataTimeout(t, f.wd, v.env, 60*time.Second, args...)
					runs++
					out := r.stdout + r.stderr
					if report != "" {
						b, _ := os.ReadFile(report)
						out += string(b)
					}
					for _, form := range forms {
						if strings.Contains(out, form) {
							t.Errorf("%s, %s: strata %s printed the password (%q):\n%s", kind, v.name, strings.Join(args, " "), form, r)
						}
					}
				}
			}
			t.Logf("%d runs of %d commands, no password printed", runs, len(cmds))
			// The good variants really connect with the password (MariaDB
			// checks it), and the failing command's error says why.
			for _, v := range variants[:4] {
				want(t, strataEnv(t, f.wd, v.env, append([]string{"status", "--dir", f.dir}, v.args...)...), 0)
			}
			r := strataEnv(t, f.wd, variants[6].env, append([]string{"status", "--dir", f.dir}, variants[6].args...)...)
			want(t, r, 2, "--password-command failed (exit status 3)")
		})
	}
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

// strataTimeout runs the binary like strataEnv, killing it after d.
func strataTimeout(t *testing.T, wd string, env []string, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	r := runStrata(t, ctx, wd, env, args...)
	if ctx.Err() != nil {
		t.Errorf("strata %v did not finish within %s", args, d)
	}
	return r
}
