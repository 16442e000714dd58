package strata

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/sqlsplit"
)

// checker checks the queries of one Compat run.
type checker struct {
	m    *Migrator
	qc   dialect.QueryChecker
	opts sqlsplit.Options
	qs   []checkQuery
}

// checkQuery is one query, read once.
type checkQuery struct {
	q      CompatQuery
	insert *insertShape // nil unless the query is an INSERT
	names  []string     // its identifiers, lower case, unquoted
	done   bool         // reported already: not checked again
}

func (ck *checker) parse(queries []CompatQuery) {
	ck.qs = make([]checkQuery, len(queries))
	for i, q := range queries {
		toks := sqlsplit.Tokens(q.Text, ck.opts)
		ck.qs[i] = checkQuery{q: q, insert: parseInsert(toks), names: identifiers(toks)}
	}
}

// check prepares every query not reported yet on r's connection and
// checks every INSERT's columns. step is the file just applied; nil for
// the current schema, before any pending file.
func (ck *checker) check(ctx context.Context, r *run, res *CompatResult, step *Step) error {
	start := time.Now()
	defer func() { res.Checking += time.Since(start) }()
	columns := map[dialect.Table][]dialect.Column{}
	var idx []int
	var texts []string
	for i := range ck.qs {
		if !ck.qs[i].done {
			idx, texts = append(idx, i), append(texts, ck.qs[i].q.Text)
		}
	}
	errs, err := ck.qc.Prepare(ctx, r.conn, texts)
	if err != nil {
		return fmt.Errorf("prepare the queries: %w", err)
	}
	for j, i := range idx {
		q := &ck.qs[i]
		var prob *CompatProblem
		if err := errs[j]; err != nil {
			code, msg, ok := ck.m.d.ServerError(err)
			if !ok {
				msg = err.Error()
			}
			prob = &CompatProblem{Kind: CompatPrepare, Code: code, Message: msg}
		} else if q.insert != nil {
			cols, seen := columns[q.insert.table]
			if !seen {
				var err error
				if cols, err = ck.qc.Columns(ctx, r.conn, q.insert.table); err != nil {
					return fmt.Errorf("read the columns of %s: %w", q.insert.table, err)
				}
				columns[q.insert.table] = cols
			}
			if missing := q.insert.missing(cols); len(missing) > 0 {
				prob = &CompatProblem{Kind: CompatNotNull, Table: q.insert.table.String(), Columns: missing,
					Message: fmt.Sprintf("%s has NOT NULL columns without a default that the INSERT does not set: %s", q.insert.table, strings.Join(missing, ", "))}
			}
		}
		if prob == nil {
			continue
		}
		prob.Query, q.done = q.q, true
		if step == nil {
			res.Failing = append(res.Failing, *prob)
			continue
		}
		prob.File, prob.Version = step.File, step.Migration.ID()
		prob.Line = ck.line(r, *step, prob, q)
		res.Broken = append(res.Broken, *prob)
	}
	return nil
}

// line finds the statement of step that broke q. It scores each statement
// by what it does to the names the problem names (the missing columns and
// their table, or the names in the server's message that the query uses):
// dropping or renaming one (or, for a NOT NULL problem, saying NOT NULL)
// weighs most, naming one less; the first statement with the best score
// wins, else the first that shares a name with the query, else the file's
// first statement.
func (ck *checker) line(r *run, step Step, prob *CompatProblem, q *checkQuery) int {
	var want []string
	if prob.Kind == CompatNotNull {
		for _, c := range prob.Columns {
			want = append(want, strings.ToLower(c))
		}
		want = append(want, strings.ToLower(dialect.UnquoteIdent(q.insert.table.Name)))
	} else {
		for _, w := range strings.FieldsFunc(strings.ToLower(prob.Message), func(c rune) bool {
			return !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 127)
		}) {
			if slices.Contains(q.names, w) && !slices.Contains(want, w) {
				want = append(want, w)
			}
		}
	}
	first, shared, best, bestLine := 0, 0, 0, 0
	for stmt, err := range ck.m.statements(step.Migration.Path, nil, r.lim) {
		if err != nil {
			break
		}
		if first == 0 {
			first = stmt.Line
		}
		toks := sqlsplit.Tokens(stmt.Text, ck.opts)
		names := identifiers(toks)
		if n := score(toks, names, want, prob.Kind == CompatNotNull); n > best {
			best, bestLine = n, stmt.Line
		}
		if shared == 0 && slices.ContainsFunc(q.names, func(n string) bool { return slices.Contains(names, n) }) {
			shared = stmt.Line
		}
	}
	switch {
	case bestLine != 0:
		return bestLine
	case shared != 0:
		return shared
	}
	return first
}

// score rates how likely a statement (its tokens and identifiers) broke a
// query over the names in want: 100 for each name it drops or renames
// (DROP or RENAME up to three tokens before the name, RENAME up to three
// after it), or once when notNull and it says NOT NULL, plus 1 for each
// name it mentions.
func score(toks []sqlsplit.Token, names, want []string, notNull bool) int {
	n := 0
	for _, w := range want {
		if slices.Contains(names, w) {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	word := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return strings.ToUpper(toks[i].Text)
	}
	for i, t := range toks {
		if notNull {
			if word(i) == "NOT" && word(i+1) == "NULL" {
				return n + 100
			}
			continue
		}
		if t.Kind != sqlsplit.Word && t.Kind != sqlsplit.QuotedIdent || !slices.Contains(want, strings.ToLower(dialect.UnquoteIdent(t.Text))) {
			continue
		}
		for d := 1; d <= 3; d++ {
			if b := word(i - d); b == "DROP" || b == "RENAME" || word(i+d) == "RENAME" {
				n += 100
				break
			}
		}
	}
	return n
}

// common reports the words too common in queries and DDL alike to tell
// which statement broke a query.
func common(w string) bool {
	switch w {
	case "select", "from", "where", "and", "or", "not", "null", "insert", "into", "values", "update", "set",
		"delete", "as", "on", "join", "in", "is", "by", "order", "group", "limit", "table", "id", "returning", "default":
		return true
	}
	return false
}

// identifiers returns the words and quoted identifiers of toks, lower
// case and unquoted, without the most common keywords.
func identifiers(toks []sqlsplit.Token) []string {
	var out []string
	for _, t := range toks {
		var n string
		switch t.Kind {
		case sqlsplit.Word:
			n = strings.ToLower(t.Text)
		case sqlsplit.QuotedIdent:
			n = strings.ToLower(dialect.UnquoteIdent(t.Text))
		default:
			continue
		}
		if !common(n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
