package cli

import (
	"testing"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/dialect/mysql"
	"github.com/strata-db/strata/dialect/postgres"
	"github.com/strata-db/strata/dialect/sqlite"
)

// TestRenderQuery: the dry run shows import's SQL with its arguments in
// place, whatever the dialect's placeholders, and leaves a value that
// holds a placeholder's text alone.
func TestRenderQuery(t *testing.T) {
	args := []any{"a?1$1", int64(2), nil, "it's", "x", "y", "z", "w", "v", "u", "t"}
	for _, c := range []struct {
		d    dialect.Dialect
		want string
	}{
		{postgres.Dialect{}, "VALUES ('a?1$1', 2, NULL, 'it''s', 'x', 'y', 'z', 'w', 'v', 'u', 't')"},
		{mysql.Dialect{}, "VALUES ('a?1$1', 2, NULL, 'it''s', 'x', 'y', 'z', 'w', 'v', 'u', 't')"},
		{sqlite.Dialect{}, "VALUES ('a?1$1', 2, NULL, 'it''s', 'x', 'y', 'z', 'w', 'v', 'u', 't')"},
	} {
		q := "VALUES ("
		for i := range args {
			if i > 0 {
				q += ", "
			}
			q += c.d.Placeholder(i + 1)
		}
		q += ")"
		if got := renderQuery(c.d, q, args); got != c.want {
			t.Errorf("%s: renderQuery(%q) = %q, want %q", c.d.Name(), q, got, c.want)
		}
	}
}
