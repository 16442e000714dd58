package strata

import (
	"slices"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// insertShape is what an INSERT says about the columns it sets.
type insertShape struct {
	table dialect.Table // as written, quotes included
	// cols are the columns it names, lower case and unquoted; nil when
	// it names none.
	cols []string
	// values is, without a column list, how many values its first row
	// has (they fill the table's first columns); -1 when unknown (INSERT
	// ... SELECT), 0 for DEFAULT VALUES.
	values int
}

// missing returns the required columns of cols (the table's, in order)
// that the INSERT does not set; nil when the table does not exist.
func (s *insertShape) missing(cols []dialect.Column) []string {
	var out []string
	for i, c := range cols {
		set := false
		switch {
		case s.cols != nil:
			set = slices.Contains(s.cols, strings.ToLower(c.Name))
		case s.values < 0:
			set = true
		default:
			set = i < s.values
		}
		if c.Required && !set {
			out = append(out, c.Name)
		}
	}
	return out
}

// parseInsert reads INSERT [modifiers] [INTO] table [AS alias]
// [(columns)] VALUES (...) | SET a = ... | SELECT ... | DEFAULT VALUES
// (REPLACE alike) from a query's tokens; nil when it is no INSERT or its
// shape is not understood.
func parseInsert(toks []sqlsplit.Token) *insertShape {
	up := func(i int) string {
		if i < len(toks) && toks[i].Kind == sqlsplit.Word {
			return strings.ToUpper(toks[i].Text)
		}
		return ""
	}
	name := func(i int) bool {
		return i < len(toks) && (toks[i].Kind == sqlsplit.Word || toks[i].Kind == sqlsplit.QuotedIdent)
	}
	if v := up(0); v != "INSERT" && v != "REPLACE" {
		return nil
	}
	i := 1
	for ; i < len(toks); i++ {
		switch up(i) {
		case "IGNORE", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "OR", "ROLLBACK", "ABORT", "FAIL", "REPLACE":
			continue
		case "INTO":
			i++
		}
		break
	}
	if !name(i) {
		return nil
	}
	s := &insertShape{table: dialect.Table{Name: toks[i].Text}, values: -1}
	i++
	if i+1 < len(toks) && toks[i].Text == "." && name(i+1) {
		s.table = dialect.Table{Schema: s.table.Name, Name: toks[i+1].Text}
		i += 2
	}
	if up(i) == "AS" && name(i+1) {
		i += 2
	}
	switch {
	case i < len(toks) && toks[i].Text == "(" && up(i+1) != "SELECT" && up(i+1) != "WITH":
		s.cols = []string{}
		for i++; i < len(toks) && toks[i].Text != ")"; i++ {
			if name(i) {
				s.cols = append(s.cols, strings.ToLower(dialect.UnquoteIdent(toks[i].Text)))
			}
		}
	case up(i) == "SET":
		s.cols, i = []string{}, i+1
		for depth, want := 0, true; i < len(toks); i++ {
			switch t := toks[i].Text; {
			case t == "(":
				depth++
			case t == ")":
				depth--
			case t == "," && depth == 0:
				want = true
			case want && name(i) && depth == 0:
				if i+2 < len(toks) && toks[i+1].Text == "." && name(i+2) {
					i += 2 // a qualified column: t.col
				}
				s.cols, want = append(s.cols, strings.ToLower(dialect.UnquoteIdent(toks[i].Text))), false
			}
		}
	case up(i) == "DEFAULT" && up(i+1) == "VALUES":
		s.values = 0
	case (up(i) == "VALUES" || up(i) == "VALUE") && i+1 < len(toks) && toks[i+1].Text == "(":
		n, depth := 1, 0
		for i += 2; i < len(toks); i++ {
			switch toks[i].Text {
			case "(":
				depth++
			case ",":
				if depth == 0 {
					n++
				}
			case ")":
				depth--
			}
			if depth < 0 {
				break
			}
		}
		s.values = n
	}
	return s
}
