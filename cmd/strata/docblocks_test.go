package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// codeBlock is one fenced block of a markdown file.
type codeBlock struct {
	lang string
	line int // line of the opening fence, 1-based
	text string
}

var fenceRE = regexp.MustCompile("^\\s*```\\s*(\\w*)")

// markdownBlocks returns the fenced blocks of a markdown file that lie
// under the heading section (a line starting with "#", matched exactly;
// "" for the whole file) and whose language is lang ("" for any).
func markdownBlocks(t *testing.T, path, section, lang string) []codeBlock {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out     []codeBlock
		cur     *codeBlock
		inScope = section == ""
		level   int
	)
	for i, line := range strings.Split(string(b), "\n") {
		if cur != nil {
			if fenceRE.MatchString(line) {
				if lang == "" || cur.lang == lang {
					out = append(out, *cur)
				}
				cur = nil
				continue
			}
			cur.text += line + "\n"
			continue
		}
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			if inScope {
				cur = &codeBlock{lang: strings.ToLower(m[1]), line: i + 1}
			} else {
				cur = &codeBlock{lang: "\x00"} // skipped
			}
			continue
		}
		if section != "" && strings.HasPrefix(line, "#") {
			hashes := len(line) - len(strings.TrimLeft(line, "#"))
			switch {
			case strings.TrimSpace(line) == section:
				inScope, level = true, hashes
			case inScope && hashes <= level:
				inScope = false
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no ```%s block under %q", path, lang, section)
	}
	return out
}

// shellCommands splits a shell block into its simple commands: lines
// joined at a trailing backslash, then split at "&&". Comments and blank
// lines are dropped; anything else a shell would treat specially (pipes,
// ";", "||", redirections, substitutions) is refused, so a test never
// runs a command differently from a shell.
func shellCommands(t *testing.T, block string) [][]string {
	t.Helper()
	var out [][]string
	block = strings.ReplaceAll(block, "\\\n", " ")
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, part := range strings.Split(line, "&&") {
			words, err := shellWords(part)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if len(words) == 0 {
				t.Fatalf("%q: empty command", line)
			}
			out = append(out, words)
		}
	}
	return out
}

// shellWords splits s like a POSIX shell does for the quoting the docs
// use (single and double quotes, no escapes inside them), and refuses
// what it does not model.
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
		case quote == '"' && (r == '$' || r == '`' || r == '\\'):
			return nil, fmt.Errorf("%q: expansion inside double quotes is not modelled", s)
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
		case strings.ContainsRune("|;<>&$`\\#(){}*?", r):
			return nil, fmt.Errorf("%q: shell syntax %q is not modelled", s, r)
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
