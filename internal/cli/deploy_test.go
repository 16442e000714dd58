package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// recipeLine is one strata command line found in a recipe.
type recipeLine struct {
	file string
	line int
	args []string // without the program name
}

var (
	// shellCmd finds a strata command at the start of a shell line or
	// YAML value: "strata up", "- run: strata plan", "release: strata up",
	// "$ strata status".
	shellCmd = regexp.MustCompile(`^(?:-\s*)?(?:[A-Za-z_][\w-]*:\s+)?(?:\$\s+)?(?:/?[\w/.-]*/)?strata(\s.*)?$`)
	// execForm finds exec-form arrays: ["strata", "up", ...] or ["/strata", ...].
	execForm = regexp.MustCompile(`\[\s*"(?:/[\w/.-]*)?/?strata"(?:\s*,\s*"[^"]*")*\s*\]`)
	fence    = regexp.MustCompile("^\\s*```\\s*(\\w*)")
)

// recipeLines extracts every strata command from the fenced sh, yaml and
// Dockerfile blocks of a markdown file.
func recipeLines(t *testing.T, path string) []recipeLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []recipeLine
	inBlock, checked := false, false
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		if m := fence.FindStringSubmatch(raw); m != nil {
			if !inBlock {
				lang := strings.ToLower(m[1])
				checked = lang == "sh" || lang == "bash" || lang == "yaml" || lang == "yml" || lang == "dockerfile"
			}
			inBlock = !inBlock
			continue
		}
		if !inBlock || !checked {
			continue
		}
		lineNo := i + 1
		text := raw
		for strings.HasSuffix(strings.TrimSpace(text), `\`) && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(strings.TrimSpace(text), `\`) + " " + strings.TrimSpace(lines[i])
		}
		for _, arr := range execForm.FindAllString(text, -1) {
			var words []string
			if err := json.Unmarshal([]byte(arr), &words); err != nil {
				t.Fatalf("%s:%d: %v", path, lineNo, err)
			}
			out = append(out, recipeLine{path, lineNo, words[1:]})
		}
		for _, seg := range regexp.MustCompile(`&&|\|\||;|\|`).Split(text, -1) {
			m := shellCmd.FindStringSubmatch(strings.TrimSpace(seg))
			if m == nil || strings.TrimSpace(m[1]) == "" {
				continue // not strata, or a name such as "- name: strata"
			}
			words, err := shellWords(m[1])
			if err != nil {
				t.Fatalf("%s:%d: %v", path, lineNo, err)
			}
			out = append(out, recipeLine{path, lineNo, words})
		}
	}
	return out
}

// shellWords splits s like a POSIX shell, for the quoting the recipes use.
func shellWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool
		quote rune
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote in %q", quote, s)
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// parseArgs parses args with the real command tree, without running
// anything: the subcommand must exist, every flag must exist and take its
// value, and the positional arguments must suit the command.
func parseArgs(args []string) error {
	root := Root()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	if cmd == root {
		if len(cmd.Flags().Args()) > 0 {
			return fmt.Errorf("unknown command %q", cmd.Flags().Args()[0])
		}
		return nil
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// TestDeployRecipes parses every strata command line in docs/deploy with
// the real CLI, so the recipes cannot name a flag or command that does not
// exist.
func TestDeployRecipes(t *testing.T) {
	files, _ := filepath.Glob("../../docs/deploy/*.md")
	if len(files) < 5 {
		t.Fatalf("found %d recipes in docs/deploy", len(files))
	}
	total := 0
	for _, f := range files {
		lines := recipeLines(t, f)
		if len(lines) == 0 && filepath.Base(f) != "README.md" && filepath.Base(f) != "library.md" {
			t.Errorf("%s: no strata command lines found", f)
		}
		for _, l := range lines {
			total++
			if err := parseArgs(l.args); err != nil {
				t.Errorf("%s:%d: strata %s: %v", l.file, l.line, strings.Join(l.args, " "), err)
			}
		}
	}
	t.Logf("%d strata command lines parsed", total)
}

// TestRecipeParser checks that the parser catches mistakes.
func TestRecipeParser(t *testing.T) {
	for _, bad := range []string{"upp", "up --wiat 60s", "status --lock-timeout soon", "resolve", "completion tcsh"} {
		args, _ := shellWords(bad)
		if parseArgs(args) == nil {
			t.Errorf("strata %s parsed", bad)
		}
	}
	for _, good := range []string{"up --wait 60s", "--password-file /x up", "run --dir m -- /app/app --listen :8080", "doctor --app-url 'postgres://a@b/c'"} {
		args, _ := shellWords(good)
		if err := parseArgs(args); err != nil {
			t.Errorf("strata %s: %v", good, err)
		}
	}
}
