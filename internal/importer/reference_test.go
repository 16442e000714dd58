package importer

import (
	"bufio"
	"slices"
	"strings"
	"testing"

	"github.com/strata-db/strata/sqlsplit"
)

// gooseStatements is a transcription, for tests, of how goose v3
// (internal/sqlparser.ParseSQLMigration) cuts a file into the statements
// it sends: comment lines before a statement are skipped, a statement ends
// at a line whose last word (before any "--") ends with ";", and a
// StatementBegin/End block is one statement.
func gooseStatements(data string, up bool) []string {
	var out []string
	var buf strings.Builder
	state := "" // "up", "down"
	inBlock := false
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		l := sc.Text()
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "--") && strings.Contains(l, "+goose") {
			cmd := strings.ToLower(strings.TrimSpace(strings.Replace(strings.ReplaceAll(l, "--", ""), "+goose", "", 1)))
			switch cmd {
			case "up":
				state = "up"
				continue
			case "down":
				state = "down"
				continue
			case "statementbegin":
				inBlock = true
				continue
			case "statementend":
				inBlock = false
				if (state == "up") == up {
					out = append(out, strings.TrimSpace(buf.String()))
				}
				buf.Reset()
				continue
			default:
				continue
			}
		}
		if state == "" {
			continue
		}
		if buf.Len() == 0 && (strings.HasPrefix(t, "--") || l == "") {
			continue
		}
		buf.WriteString(l + "\n")
		if inBlock {
			continue
		}
		if endsWithSemicolon(l) {
			if (state == "up") == up {
				out = append(out, strings.TrimSpace(buf.String()))
			}
			buf.Reset()
		}
	}
	return out
}

// endsWithSemicolon is goose's rule: the last word before a "--" word
// ends with ";".
func endsWithSemicolon(l string) bool {
	prev := ""
	for _, w := range strings.Fields(l) {
		if strings.HasPrefix(w, "--") {
			break
		}
		prev = w
	}
	return strings.HasSuffix(prev, ";")
}

// TestGooseStatementsMatch converts every goose fixture and checks that
// strata's splitter yields, file by file and direction by direction, the
// statements goose itself would send.
func TestGooseStatementsMatch(t *testing.T) {
	t.Parallel()
	c, err := Convert(Goose, mapFS(gooseFolder), ConvertOptions{Dialect: sqlsplit.Postgres})
	if err != nil {
		t.Fatal(err)
	}
	_, dir := writeAndLoad(t, c)
	for _, f := range c.Files {
		for _, up := range []bool{true, false} {
			name := f.UpName()
			if !up {
				name = f.DownName()
			}
			want := gooseStatements(gooseFolder[f.Source], up)
			for i := range want {
				want[i] = normStatement(want[i])
			}
			if name == "" {
				if len(want) != 0 {
					t.Errorf("%s: no down file but goose runs %q", f.Source, want)
				}
				continue
			}
			got := splitFile(t, dir, name, sqlsplit.Postgres)
			if !slices.Equal(got, want) {
				t.Errorf("%s up=%v:\n strata %q\n goose  %q", f.Source, up, got, want)
			}
		}
	}
}

// sqlMigrateStatements is a transcription, for tests, of how sql-migrate
// (sqlparse.ParseMigration) cuts a file: "-- " comment lines are skipped
// everywhere, "-- +" lines are commands, a statement ends at a line whose
// last word ends with ";" outside a StatementBegin/End block, and a block
// ends at StatementEnd.
func sqlMigrateStatements(data string, up bool) []string {
	var out []string
	var buf strings.Builder
	dir, ignore, ended := "", false, false
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "-- ") && !strings.HasPrefix(l, "-- +") {
			continue
		}
		if strings.HasPrefix(l, "-- +migrate ") {
			switch strings.Fields(l[len("-- +migrate "):])[0] {
			case "Up":
				dir = "up"
			case "Down":
				dir = "down"
			case "StatementBegin":
				ignore, ended = true, false
			case "StatementEnd":
				ended, ignore = ignore, false
			}
		}
		if dir == "" {
			continue
		}
		if !strings.HasPrefix(l, "-- +") {
			buf.WriteString(l + "\n")
		}
		if (!ignore && endsWithSemicolon(l)) || ended {
			ended = false
			if (dir == "up") == up {
				out = append(out, buf.String())
			}
			buf.Reset()
		}
	}
	return out
}

func TestSQLMigrateStatementsMatch(t *testing.T) {
	t.Parallel()
	c, err := Convert(SQLMigrate, mapFS(sqlMigrateFolder), ConvertOptions{Dialect: sqlsplit.Postgres})
	if err != nil {
		t.Fatal(err)
	}
	_, dir := writeAndLoad(t, c)
	for _, f := range c.Files {
		for _, up := range []bool{true, false} {
			name := f.UpName()
			if !up {
				name = f.DownName()
			}
			var want []string
			for _, s := range sqlMigrateStatements(sqlMigrateFolder[f.Source], up) {
				if n := normStatement(s); n != "" {
					want = append(want, n)
				}
			}
			if got := splitFile(t, dir, name, sqlsplit.Postgres); !slices.Equal(got, want) {
				t.Errorf("%s up=%v:\n strata      %q\n sql-migrate %q", f.Source, up, got, want)
			}
		}
	}
}
