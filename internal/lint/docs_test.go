package lint

import (
	"os"
	"strings"
	"testing"
)

// TestRulesDocumented checks that docs/verify-lint.md's rules table gives
// every rule with its default severity and the same risk and fix texts a
// finding prints.
func TestRulesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/verify-lint.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if id, ok := strings.CutPrefix(line, "| `"); ok {
			id, _, _ = strings.Cut(id, "`")
			rows[id] = line
		}
	}
	for _, r := range Rules() {
		row, ok := rows[r.ID]
		if !ok {
			t.Errorf("docs/verify-lint.md has no row for rule %s", r.ID)
			continue
		}
		if want := "| `" + r.ID + "` | " + string(r.Severity) + " |"; !strings.HasPrefix(row, want) {
			t.Errorf("docs/verify-lint.md: rule %s should start %q:\n%s", r.ID, want, row)
		}
		text := r.Risk + "; " + strings.ReplaceAll(r.Fix, "RULE", r.ID)
		if !strings.Contains(row, text) {
			t.Errorf("docs/verify-lint.md: rule %s should say %q:\n%s", r.ID, text, row)
		}
	}
}
